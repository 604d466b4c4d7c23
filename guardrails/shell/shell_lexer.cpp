// The shell tokenizer: quoting, expansions, operators, redirections and heredocs into tokens (the grammar
// that groups them into simple commands is shell_grammar.cpp). Errors are values: the first one found stops.
#include "guardrails/shell/shell_lexer.hpp"

#include <cctype>

namespace jitgate::guardrails::shell {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_meta(char c) { return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')' || c == '\n'; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        cp = cp > 0x10FFFF ? 0xFFFD : cp;
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The parts of a ${ } expansion (its text between the braces) that bash evaluates: the form is
// [#|!]NAME[[SUBSCRIPT]][OPERATOR...]. A subscript other than @ or * is arithmetic (for an indexed array);
// `:` not followed by - = + ? starts an offset and length, arithmetic; ${!name} reads a value as a name;
// @P expands a value as a prompt; := and = assign NAME. Anything else is marked value_is_code.
void inspect_parameter(std::string_view body, Evaluation& out) {
    std::size_t i = 0;
    bool indirect = false;
    if (body.size() > 1 && (body[0] == '#' || body[0] == '!')) {
        indirect = body[0] == '!';
        i = 1;
    }
    const std::size_t name_start = i;
    if (i < body.size() && is_name_start(body[i])) {
        while (i < body.size() && is_name_char(body[i])) ++i;
    } else if (i < body.size() && is_digit(body[i])) {
        while (i < body.size() && is_digit(body[i])) ++i;
    } else if (i < body.size() && std::string_view("@*#?-$!0").find(body[i]) != std::string_view::npos) {
        ++i;
    } else {
        out.value_is_code = true;  // ${}, ${ cmd; } and other forms bash 5.2 refuses or this lexer does not read
        return;
    }
    const std::string name(body.substr(name_start, i - name_start));
    bool all_elements = false;
    if (i < body.size() && body[i] == '[') {
        int depth = 0;
        std::size_t j = i;
        for (; j < body.size(); ++j) {
            if (body[j] == '[') ++depth;
            if (body[j] == ']' && --depth == 0) break;
        }
        if (j >= body.size()) {
            out.value_is_code = true;
            return;
        }
        const std::string_view subscript = body.substr(i + 1, j - i - 1);
        all_elements = subscript == "@" || subscript == "*";
        if (!all_elements) out.arithmetic.emplace_back(subscript);
        i = j + 1;
    }
    const std::string_view rest = body.substr(i);
    if (indirect) {
        // ${!a[@]} lists keys and ${!prefix*} names; any other ${!x...} reads x's value as a name.
        if (!((all_elements && rest.empty()) || rest == "*" || rest == "@")) out.value_is_code = true;
        return;
    }
    if (rest.empty()) return;
    const char op = rest[0];
    if (op == ':' && rest.size() > 1 && std::string_view("-=+?").find(rest[1]) != std::string_view::npos) {
        if (rest[1] == '=') out.assigned.push_back(name);
    } else if (op == ':') {
        out.arithmetic.emplace_back(rest.substr(1));
    } else if (op == '-' || op == '+' || op == '?') {
    } else if (op == '=') {
        out.assigned.push_back(name);
    } else if (op == '#' || op == '%' || op == '/' || op == '^' || op == ',') {
    } else if (op == '@' && rest.size() == 2 && std::string_view("QEAKaUuLk").find(rest[1]) != std::string_view::npos) {
    } else {
        out.value_is_code = true;  // @P, or a form this lexer does not read
    }
}

class Lexer {
public:
    Lexer(std::string_view input, int depth) : in_(input), depth_(depth) {}

    // Reads tokens into `out` until the end, or (nested) until the `)` that closes a `$(` or `<(`.
    void lex_list(std::vector<Token>& out, bool until_paren) {
        std::vector<std::size_t> pending_heredocs;
        int parens = 0;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (is_blank(c)) {
                ++pos_;
            } else if (c == '\\' && peek(1) == '\n') {
                pos_ += 2;
            } else if (c == '#') {
                while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
            } else if (c == '\n') {
                push_op(out, "\n", 1);
                for (const std::size_t index : pending_heredocs) read_heredoc_body(out[index].redirect);
                pending_heredocs.clear();
            } else if (c == ';') {
                if (peek(1) == ';' && peek(2) == '&') push_op(out, ";;&", 3);
                else if (peek(1) == ';') push_op(out, ";;", 2);
                else if (peek(1) == '&') push_op(out, ";&", 2);
                else push_op(out, ";", 1);
            } else if (c == '&') {
                if (peek(1) == '&') push_op(out, "&&", 2);
                else if (peek(1) == '>') lex_redirect(out, pending_heredocs, -1);
                else push_op(out, "&", 1);
            } else if (c == '|') {
                if (peek(1) == '|') push_op(out, "||", 2);
                else if (peek(1) == '&') push_op(out, "|&", 2);
                else push_op(out, "|", 1);
            } else if (c == '(' && peek(1) == '(' && read_arithmetic_command(out)) {
                // (( EXPR )) read whole as an arithmetic command
            } else if (c == '(') {
                ++parens;
                push_op(out, "(", 1);
            } else if (c == ')') {
                if (until_paren && parens == 0) {
                    ++pos_;
                    if (!pending_heredocs.empty()) fail("a heredoc is not terminated");
                    return;
                }
                --parens;
                push_op(out, ")", 1);
            } else if ((c == '<' || c == '>') && peek(1) == '(') {
                Token token;
                read_process_substitution(token.word);
                out.push_back(std::move(token));
            } else if (c == '<' || c == '>') {
                lex_redirect(out, pending_heredocs, -1);
            } else if (const int fd = io_number(); fd >= 0) {
                lex_redirect(out, pending_heredocs, fd);
            } else {
                Token token;
                read_word(token.word);
                out.push_back(std::move(token));
            }
        }
        if (until_paren) fail("unbalanced parentheses: a `$(` or `<(` is not closed");
        if (!pending_heredocs.empty()) fail("a heredoc is not terminated: its delimiter line is missing");
    }

    // Scans an unquoted heredoc body as the shell expands it: only `$`, backticks and backslashes matter.
    void scan_expanding_text(Word& word) {
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '\\') {
                pos_ += 2;
            } else if (c == '$') {
                read_dollar(word, true);
            } else if (c == '`') {
                read_backtick(word, true);
            } else {
                ++pos_;
            }
        }
    }

    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
    int depth_ = 0;
    std::string error_;

    char peek(std::size_t ahead) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }

    // Records the first error and ends every loop (they all stop at the end of the input).
    void fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        pos_ = in_.size();
    }

    void push_op(std::vector<Token>& out, std::string op, std::size_t length = 1) {
        pos_ += length;
        Token token;
        token.kind = TokenKind::op;
        token.op = std::move(op);
        out.push_back(std::move(token));
    }

    // Digits directly followed by < or > are a descriptor number (2>file), not a word.
    int io_number() const {
        std::size_t i = pos_;
        while (i < in_.size() && is_digit(in_[i]) && i - pos_ < 4) ++i;
        if (i == pos_ || i >= in_.size() || (in_[i] != '<' && in_[i] != '>')) return -1;
        return std::stoi(std::string(in_.substr(pos_, i - pos_)));
    }

    void lex_redirect(std::vector<Token>& out, std::vector<std::size_t>& pending_heredocs, int fd) {
        while (pos_ < in_.size() && is_digit(in_[pos_])) ++pos_;
        static constexpr std::string_view ops[] = {"&>>", "<<<", "<<-", "&>", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">"};
        Token token;
        token.kind = TokenKind::redirect;
        token.redirect.fd = fd;
        for (const std::string_view op : ops) {
            if (in_.substr(pos_, op.size()) == op) {
                token.redirect.op = std::string(op);
                pos_ += op.size();
                break;
            }
        }
        while (pos_ < in_.size() && is_blank(in_[pos_])) ++pos_;
        if (pos_ >= in_.size() || (is_meta(in_[pos_]) && !((in_[pos_] == '<' || in_[pos_] == '>') && peek(1) == '('))) {
            fail("a redirection `" + token.redirect.op + "` has no target");
            return;
        }
        if ((in_[pos_] == '<' || in_[pos_] == '>') && peek(1) == '(') {
            read_process_substitution(token.redirect.target);
        } else {
            read_word(token.redirect.target);
        }
        if (token.redirect.is_heredoc()) {
            token.redirect.body_quoted = token.redirect.target.quoted;
            pending_heredocs.push_back(out.size());
        }
        out.push_back(std::move(token));
    }

    void read_heredoc_body(Redirect& redirect) {
        const bool strip_tabs = redirect.op == "<<-";
        const std::string& delimiter = redirect.target.value;
        while (true) {
            if (pos_ >= in_.size()) {
                fail("a heredoc is not terminated: no line `" + delimiter + "` ends it");
                return;
            }
            const std::size_t end = in_.find('\n', pos_);
            std::string_view line = in_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
            pos_ = end == std::string_view::npos ? in_.size() : end + 1;
            if (strip_tabs) {
                while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
            }
            if (line == delimiter) break;
            redirect.body.append(line);
            redirect.body += '\n';
        }
        if (redirect.body_quoted) return;
        Lexer body(redirect.body, depth_);
        Word scratch;
        body.scan_expanding_text(scratch);
        if (!body.error().empty()) fail(body.error());
        redirect.body_substitutions = std::move(scratch.substitutions);
        redirect.body_evaluation = std::move(scratch.evaluation);
    }

    // At `((`: bash reads an arithmetic command when the text up to the `)` that closes the second `(`
    // (quotes and nested parentheses respected) is followed by `)`; otherwise `((` opens nested subshells
    // (`((cd /tmp; ls) )`). Returns false, consuming nothing, in the second case.
    bool read_arithmetic_command(std::vector<Token>& out) {
        std::size_t i = pos_ + 2;
        int parens = 0;
        while (i < in_.size()) {
            const char c = in_[i];
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '\'' || c == '"') {
                const std::size_t end = in_.find(c, i + 1);
                if (end == std::string_view::npos) {
                    fail("unbalanced quotes inside `((`");
                    return true;
                }
                i = end + 1;
                continue;
            }
            if (c == '(') ++parens;
            if (c == ')') {
                if (parens == 0) break;
                --parens;
            }
            ++i;
        }
        if (i >= in_.size()) {
            // The second `(` never closes: unbalanced either way (and failing here keeps the scan linear).
            fail("unbalanced parentheses: a `((` is not closed");
            return true;
        }
        if (i + 1 >= in_.size() || in_[i + 1] != ')') return false;
        Token token;
        token.kind = TokenKind::arithmetic;
        token.word.raw = std::string(in_.substr(pos_, i + 2 - pos_));
        token.word.value = token.word.raw;
        token.word.expands = true;
        token.word.evaluation.arithmetic.emplace_back(in_.substr(pos_ + 2, i - pos_ - 2));
        pos_ = i + 2;
        out.push_back(std::move(token));
        return true;
    }

    bool enter() {
        if (depth_ + 1 > max_depth) {
            fail("nested deeper than " + std::to_string(max_depth) + " levels");
            return false;
        }
        return true;
    }

    // `$(...)` / `<(...)` bodies: lexed in place to find their end; the source is kept for the classifier.
    std::string read_nested_list() {
        const std::size_t start = pos_;
        Lexer inner(in_, depth_ + 1);
        inner.pos_ = pos_;
        std::vector<Token> scratch;
        inner.lex_list(scratch, true);
        if (!inner.error_.empty()) {
            fail(inner.error_);
            return {};
        }
        pos_ = inner.pos_;
        return std::string(in_.substr(start, pos_ - 1 - start));
    }

    void read_process_substitution(Word& word) {
        const bool in = in_[pos_] == '<';
        const std::size_t start = pos_;
        pos_ += 2;
        if (!enter()) return;
        Substitution sub{in ? Substitution::Kind::process_in : Substitution::Kind::process_out, read_nested_list()};
        word.raw = std::string(in_.substr(start, pos_ - start));
        word.value = word.raw;
        word.expands = true;
        word.starts_with_expansion = true;
        word.substitutions.push_back(std::move(sub));
    }

    void mark_expansion(Word& word, bool in_double_quotes, std::size_t value_size_before) {
        word.expands = true;
        if (!in_double_quotes) word.splits = true;
        if (value_size_before == 0) word.starts_with_expansion = true;
    }

    void read_word(Word& word) {
        const std::size_t start = pos_;
        bool brace_open = false;
        bool brace_list = false;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (is_blank(c) || is_meta(c)) break;
            if (c == '\\') {
                if (peek(1) == '\n') {
                    pos_ += 2;
                    continue;
                }
                if (pos_ + 1 >= in_.size()) {
                    fail("a backslash ends the input (an incomplete line)");
                    return;
                }
                word.value += in_[pos_ + 1];
                word.quoted = true;
                pos_ += 2;
            } else if (c == '\'') {
                const std::size_t end = in_.find('\'', pos_ + 1);
                if (end == std::string_view::npos) {
                    fail("unbalanced quotes: a single quote is not closed");
                    return;
                }
                word.value.append(in_.substr(pos_ + 1, end - pos_ - 1));
                word.quoted = true;
                pos_ = end + 1;
            } else if (c == '"') {
                read_double_quoted(word);
            } else if (c == '$') {
                read_dollar(word, false);
            } else if (c == '`') {
                read_backtick(word, false);
            } else {
                if (c == '*' || c == '?') word.glob = true;
                if (c == '[') word.glob = true;  // a bracket expression when a ']' follows; assumed either way
                if (c == '{') brace_open = true;
                if (brace_open && (c == ',' || (c == '.' && peek(1) == '.'))) brace_list = true;
                if (c == '}' && brace_list) word.brace = true;
                word.value += c;
                ++pos_;
            }
        }
        word.raw = std::string(in_.substr(start, pos_ - start));
        if (word.glob && (word.value == "[" || word.value == "[[")) word.glob = false;
    }

    void read_double_quoted(Word& word) {
        word.quoted = true;
        ++pos_;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '"') {
                ++pos_;
                return;
            }
            if (c == '\\') {
                const char next = peek(1);
                if (next == '\n') {
                    pos_ += 2;
                } else if (next == '$' || next == '`' || next == '"' || next == '\\') {
                    word.value += next;
                    pos_ += 2;
                } else {
                    word.value += c;
                    ++pos_;
                }
            } else if (c == '$') {
                read_dollar(word, true);
            } else if (c == '`') {
                read_backtick(word, true);
            } else {
                word.value += c;
                ++pos_;
            }
        }
        fail("unbalanced quotes: a double quote is not closed");
    }

    void read_ansi_c(Word& word) {  // $'...'
        word.quoted = true;
        pos_ += 2;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '\'') {
                ++pos_;
                return;
            }
            if (c != '\\') {
                word.value += c;
                ++pos_;
                continue;
            }
            const char e = peek(1);
            pos_ += 2;
            switch (e) {
                case 'a': word.value += '\a'; break;
                case 'b': word.value += '\b'; break;
                case 'e':
                case 'E': word.value += '\x1b'; break;
                case 'f': word.value += '\f'; break;
                case 'n': word.value += '\n'; break;
                case 'r': word.value += '\r'; break;
                case 't': word.value += '\t'; break;
                case 'v': word.value += '\v'; break;
                case 'c':
                    if (pos_ < in_.size()) word.value += static_cast<char>(in_[pos_++] & 0x1F);
                    break;
                case 'x':
                case 'u':
                case 'U': {
                    const std::size_t max_digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    unsigned long cp = 0;
                    std::size_t digits = 0;
                    while (digits < max_digits && pos_ < in_.size() && hex_value(in_[pos_]) >= 0) {
                        cp = cp * 16 + static_cast<unsigned long>(hex_value(in_[pos_++]));
                        ++digits;
                    }
                    if (digits == 0) {
                        word.value += '\\';
                        word.value += e;
                    } else if (e == 'x') {
                        word.value += static_cast<char>(cp);
                    } else {
                        append_utf8(word.value, cp);
                    }
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        unsigned cp = static_cast<unsigned>(e - '0');
                        for (int k = 0; k < 2 && pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '7'; ++k) {
                            cp = cp * 8 + static_cast<unsigned>(in_[pos_++] - '0');
                        }
                        word.value += static_cast<char>(cp & 0xFF);
                    } else if (e == '\\' || e == '\'' || e == '"' || e == '?') {
                        word.value += e;
                    } else if (e == '\0' && pos_ > in_.size()) {
                        fail("unbalanced quotes: a $' quote is not closed");
                        return;
                    } else {
                        word.value += '\\';
                        word.value += e;
                    }
            }
        }
        fail("unbalanced quotes: a $' quote is not closed");
    }

    // At a '$': an expansion of some kind, or a literal dollar sign.
    void read_dollar(Word& word, bool in_double_quotes) {
        const std::size_t start = pos_;
        const std::size_t before = word.value.size();
        const char next = peek(1);
        if (next == '\'' && !in_double_quotes) {
            read_ansi_c(word);
            return;
        }
        if (next == '"' && !in_double_quotes) {  // $"..." (locale translation): a double-quoted string
            ++pos_;
            read_double_quoted(word);
            return;
        }
        if (next == '(' && peek(2) == '(') {
            read_arithmetic(word);
        } else if (next == '[') {
            read_legacy_arithmetic(word);
        } else if (next == '(') {
            pos_ += 2;
            if (!enter()) return;
            word.substitutions.push_back({Substitution::Kind::command, read_nested_list()});
        } else if (next == '{') {
            read_parameter_braces(word);
        } else if (is_name_start(next)) {
            pos_ += 2;
            while (pos_ < in_.size() && is_name_char(in_[pos_])) ++pos_;
        } else if (is_digit(next) || next == '@' || next == '*' || next == '#' || next == '?' || next == '$' ||
                   next == '!' || next == '-') {
            pos_ += 2;
        } else {
            word.value += '$';
            ++pos_;
            return;
        }
        if (pos_ > start) word.value.append(in_.substr(start, pos_ - start));
        mark_expansion(word, in_double_quotes, before);
    }

    void read_arithmetic(Word& word) {  // $(( ... )): no command may hide inside
        pos_ += 3;
        const std::size_t start = pos_;
        int parens = 0;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '$' && peek(1) == '(' && peek(2) != '(') {
                fail("a command substitution inside $(( )) is not classified");
                return;
            }
            if (c == '`') {
                fail("a command substitution inside $(( )) is not classified");
                return;
            }
            if (c == '(') ++parens;
            if (c == ')') {
                if (parens == 0) {
                    if (peek(1) != ')') {
                        fail("unbalanced parentheses in $(( ))");
                        return;
                    }
                    word.evaluation.arithmetic.emplace_back(in_.substr(start, pos_ - start));
                    pos_ += 2;
                    return;
                }
                --parens;
            }
            ++pos_;
        }
        fail("unbalanced parentheses: a $(( is not closed");
    }

    // $[ ... ], the old spelling of $(( ... )): bash still evaluates it.
    void read_legacy_arithmetic(Word& word) {
        pos_ += 2;
        const std::size_t start = pos_;
        int brackets = 0;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '[') ++brackets;
            if (c == ']') {
                if (brackets == 0) {
                    word.evaluation.arithmetic.emplace_back(in_.substr(start, pos_ - start));
                    ++pos_;
                    return;
                }
                --brackets;
            }
            ++pos_;
        }
        fail("unbalanced brackets: a $[ is not closed");
    }

    static void take_nested(Word& word, Word& scratch) {
        for (auto& sub : scratch.substitutions) word.substitutions.push_back(std::move(sub));
        word.evaluation.merge(scratch.evaluation);
    }

    void read_parameter_braces(Word& word) {  // ${ ... }, which may hold quotes and substitutions
        pos_ += 2;
        if (!enter()) return;
        ++depth_;
        const std::size_t start = pos_;
        int braces = 0;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '}') {
                if (braces == 0) {
                    inspect_parameter(in_.substr(start, pos_ - start), word.evaluation);
                    ++pos_;
                    --depth_;
                    return;
                }
                --braces;
                ++pos_;
            } else if (c == '{') {
                ++braces;
                ++pos_;
            } else if (c == '\\') {
                pos_ += 2;
            } else if (c == '\'') {
                const std::size_t end = in_.find('\'', pos_ + 1);
                if (end == std::string_view::npos) break;
                pos_ = end + 1;
            } else if (c == '"') {
                Word scratch;
                read_double_quoted(scratch);
                take_nested(word, scratch);
            } else if (c == '$') {
                Word scratch;
                read_dollar(scratch, true);
                take_nested(word, scratch);
            } else if (c == '`') {
                Word scratch;
                read_backtick(scratch, true);
                take_nested(word, scratch);
            } else {
                ++pos_;
            }
        }
        fail("unbalanced braces: a ${ is not closed");
    }

    void read_backtick(Word& word, bool in_double_quotes) {
        const std::size_t start = pos_;
        const std::size_t before = word.value.size();
        ++pos_;
        if (!enter()) return;
        std::string source;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '`') {
                ++pos_;
                word.value.append(in_.substr(start, pos_ - start));
                word.substitutions.push_back({Substitution::Kind::backtick, std::move(source)});
                mark_expansion(word, in_double_quotes, before);
                return;
            }
            if (c == '\\' && pos_ + 1 < in_.size()) {
                const char next = in_[pos_ + 1];
                if (next == '`' || next == '\\' || next == '$' || (in_double_quotes && next == '"')) {
                    source += next;
                    pos_ += 2;
                    continue;
                }
            }
            source += c;
            ++pos_;
        }
        fail("unbalanced quotes: a backtick is not closed");
    }
};

}  // namespace

LexResult lex(std::string_view text, int depth) {
    LexResult result;
    if (depth > max_depth) {
        result.error = "nested deeper than " + std::to_string(max_depth) + " levels";
        return result;
    }
    Lexer lexer(text, depth);
    lexer.lex_list(result.tokens, false);
    result.error = lexer.error();
    if (!result.ok()) result.tokens.clear();
    return result;
}

}  // namespace jitgate::guardrails::shell
