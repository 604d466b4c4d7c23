// The small grammar that groups the shell tokenizer's tokens into simple commands and pipelines, and the
// Word and Evaluation helpers it reads them with. Errors are values: the first one found stops the reading.
#include "guardrails/shell/shell_lexer.hpp"

#include <cctype>

namespace jitgate::guardrails::shell {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool is_reserved(const Word& word, std::string_view name) { return !word.quoted && word.value == name && word.literal(); }

bool is_plain_name(const Word& word) {
    const std::string& v = word.value;
    if (!word.literal() || word.quoted || v.empty() || !is_name_start(v.front())) return false;
    for (const char c : v) {
        if (!is_name_char(c)) return false;
    }
    return true;
}

}  // namespace

void Evaluation::merge(const Evaluation& other) {
    arithmetic.insert(arithmetic.end(), other.arithmetic.begin(), other.arithmetic.end());
    assigned.insert(assigned.end(), other.assigned.begin(), other.assigned.end());
    value_is_code = value_is_code || other.value_is_code;
}

bool Word::is_assignment() const noexcept { return !assignment_name().empty(); }

std::string_view Word::assignment_name() const noexcept {
    if (raw.empty() || !is_name_start(raw.front())) return {};
    std::size_t i = 1;
    while (i < raw.size() && is_name_char(raw[i])) ++i;
    if (i < raw.size() && raw[i] == '+') ++i;
    if (i < raw.size() && raw[i] == '=') return std::string_view(raw).substr(0, raw[i - 1] == '+' ? i - 1 : i);
    return {};
}

ParseResult parse(const std::vector<Token>& tokens) {
    ParseResult result;
    SimpleCommand current;
    bool pipe_pending = false;        // the next command reads a pipe
    std::vector<bool> groups;         // open ( and { groups: whether their commands read a pipe
    bool dangling = false;            // the last operator needs a command after it
    enum class Header : std::uint8_t { none, for_words, test } header = Header::none;
    bool closed_group = false;        // a `}`, `)`, `done` or `fi` was the last thing read

    const auto in_piped_group = [&] {
        for (const bool piped : groups) {
            if (piped) return true;
        }
        return false;
    };
    const auto finish = [&] {
        if (current.words.empty() && current.assignments.empty() && current.redirects.empty()) return;
        current.piped_input = current.piped_input || pipe_pending || in_piped_group();
        pipe_pending = false;
        closed_group = false;
        result.commands.push_back(std::move(current));
        current = SimpleCommand{};
    };
    const auto open_group = [&] {
        groups.push_back(pipe_pending);
        pipe_pending = false;
    };

    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const Token& token = tokens[i];
        if (header == Header::test) {  // [[ ... ]]: operands only; && || ( ) < > are its own operators
            if (token.kind == TokenKind::word && is_reserved(token.word, "]]")) {
                header = Header::none;
                current.data_only = true;
                current.conditional = true;
                finish();
            } else if (token.kind == TokenKind::word) {
                current.words.push_back(token.word);
            } else if (token.kind == TokenKind::redirect) {
                current.words.push_back(token.redirect.target);
            } else if (token.kind == TokenKind::arithmetic) {
                current.words.push_back(token.word);
            } else if (token.op == "\n" || token.op == ";" || token.op == "&") {
                result.error = "a [[ test is not closed";
                return result;
            }
            continue;
        }
        if (token.kind == TokenKind::arithmetic) {
            // (( EXPR )): a command of its own; redirections may follow it, words may not.
            if (header != Header::none || !current.words.empty() || !current.assignments.empty() ||
                !current.redirects.empty()) {
                result.error = "`((` where a command cannot start";
                return result;
            }
            current.words.push_back(token.word);
            current.data_only = true;
            current.arithmetic = true;
            dangling = false;
            continue;
        }
        if (token.kind == TokenKind::word && current.arithmetic) {
            result.error = "a word after an arithmetic command `(( ))`";
            return result;
        }
        if (token.kind == TokenKind::word) {
            const Word& word = token.word;
            dangling = false;
            if (header == Header::for_words) {
                if (current.words.empty() && is_reserved(word, "in")) continue;
                current.words.push_back(word);
                continue;
            }
            if (current.words.empty()) {
                if (is_reserved(word, "!") || is_reserved(word, "if") || is_reserved(word, "then") ||
                    is_reserved(word, "else") || is_reserved(word, "elif") || is_reserved(word, "fi") ||
                    is_reserved(word, "while") || is_reserved(word, "until") || is_reserved(word, "do") ||
                    is_reserved(word, "done")) {
                    if (!current.assignments.empty() || !current.redirects.empty()) {
                        result.error = "a reserved word `" + word.value + "` after an assignment or redirection";
                        return result;
                    }
                    closed_group = is_reserved(word, "done") || is_reserved(word, "fi");
                    continue;
                }
                if (is_reserved(word, "{")) {
                    open_group();
                    continue;
                }
                if (is_reserved(word, "}")) {
                    if (groups.empty()) {
                        result.error = "unbalanced braces: `}` without `{`";
                        return result;
                    }
                    groups.pop_back();
                    closed_group = true;
                    continue;
                }
                if (is_reserved(word, "for") || is_reserved(word, "select")) {
                    header = Header::for_words;
                    current.data_only = true;
                    ++i;  // the loop variable: bash refuses anything but a plain name before running the loop
                    if (i >= tokens.size() || tokens[i].kind != TokenKind::word || !is_plain_name(tokens[i].word)) {
                        result.error = "a `for` loop this classifier does not read";
                        return result;
                    }
                    current.loop_variable = tokens[i].word.value;
                    continue;
                }
                if (is_reserved(word, "[[")) {
                    header = Header::test;
                    continue;
                }
                if (is_reserved(word, "case") || is_reserved(word, "function") || is_reserved(word, "coproc") ||
                    is_reserved(word, "esac")) {
                    result.error = "`" + word.value + "` is not classified";
                    return result;
                }
                if (word.is_assignment()) {
                    current.assignments.push_back(word);
                    continue;
                }
            }
            current.words.push_back(word);
            closed_group = false;
            continue;
        }
        if (token.kind == TokenKind::redirect) {
            if (closed_group && current.words.empty() && current.assignments.empty()) current.group_redirect = true;
            current.redirects.push_back(token.redirect);
            continue;
        }
        const std::string& op = token.op;
        if (op == "|" || op == "|&") {
            if (current.words.empty() && current.assignments.empty() && current.redirects.empty() &&
                (result.commands.empty() || dangling)) {
                result.error = "a pipe `|` without a command before it";
                return result;
            }
            header = Header::none;
            finish();
            pipe_pending = true;
            dangling = true;
        } else if (op == ";" || op == "&" || op == "\n") {
            if (header == Header::for_words) {
                header = Header::none;
                finish();
                continue;
            }
            if (dangling && op != "\n") {
                result.error = "an operator `" + op + "` without a command before it";
                return result;
            }
            finish();
            pipe_pending = false;
        } else if (op == "&&" || op == "||") {
            if (current.words.empty() && current.assignments.empty() && current.redirects.empty() &&
                (result.commands.empty() || dangling)) {
                result.error = "an operator `" + op + "` without a command before it";
                return result;
            }
            finish();
            pipe_pending = false;
            dangling = true;
        } else if (op == "(") {
            if (!current.words.empty() || !current.assignments.empty()) {
                result.error = "a function definition or `(` after a word is not classified";
                return result;
            }
            open_group();
            dangling = false;
        } else if (op == ")") {
            if (dangling) {
                result.error = "an operator without a command after it before `)`";
                return result;
            }
            finish();
            if (groups.empty()) {
                result.error = "unbalanced parentheses: `)` without `(`";
                return result;
            }
            groups.pop_back();
            closed_group = true;
        } else {
            result.error = "`" + op + "` (a case statement) is not classified";
            return result;
        }
    }
    if (header == Header::test) {
        result.error = "a [[ test is not closed";
        return result;
    }
    if (dangling) {
        result.error = "the input ends with an operator that needs a command after it";
        return result;
    }
    finish();
    if (!groups.empty()) result.error = "unbalanced parentheses or braces: a group is not closed";
    return result;
}

}  // namespace jitgate::guardrails::shell
