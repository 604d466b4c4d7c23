// The literal-stripping scan behind the class cache's second tier: one pass over the text, following
// PostgreSQL 15's scan.l for the tokens it replaces or must step over (strings, quoted identifiers,
// comments, numbers, parameters, words), and answering "no shape" wherever the two could disagree.
#include "guardrails/sql/sql_shape.hpp"

namespace jitgate::guardrails {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// scan.l's ident_start and ident_cont, less the bytes above 0x7F (which never reach the scan).
bool is_ident_start(char c) { return is_letter(c) || c == '_'; }
bool is_ident_cont(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Printable ASCII, tab, newline and carriage return only: no NUL, no other control character (so no
// placeholder byte), nothing above 0x7F (so no question of encodings or invalid UTF-8).
bool plain_ascii(std::string_view sql) {
    for (const char c : sql) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x7F || (b < 0x20 && c != '\t' && c != '\n' && c != '\r')) return false;
    }
    return true;
}

// An unquoted word against a lower-case keyword, ignoring ASCII case as PostgreSQL does.
bool is_keyword(std::string_view word, std::string_view keyword) {
    if (word.size() != keyword.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char c = word[i] >= 'A' && word[i] <= 'Z' ? static_cast<char>(word[i] - 'A' + 'a') : word[i];
        if (c != keyword[i]) return false;
    }
    return true;
}

// Whether a run of digits fits PostgreSQL's ICONST (strtoint: a 32-bit signed integer).
bool fits_int32(std::string_view digits) {
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    return digits.size() < 10 || (digits.size() == 10 && digits <= "2147483647");
}

class ShapeScanner {
public:
    ShapeScanner(std::string_view sql, std::string& out, std::vector<ShapeLiteral>* literals)
        : sql_(sql), out_(out), literals_(literals) {}

    bool run() {
        while (pos_ < sql_.size()) {
            const char c = sql_[pos_];
            if (is_space(c)) {
                copy(pos_ + 1);
                continue;
            }
            if (const std::size_t end = comment_end(pos_); end != 0) {
                if (end == npos) return false;  // unterminated /* */
                copy(end);
                continue;
            }
            bool ok = true;
            if (c == '\'') {
                ok = string_literal();
            } else if (c == '"') {
                ok = quoted_identifier();
            } else if (c == '$') {
                ok = parameter();
            } else if (is_digit(c) || (c == '.' && is_digit(at(pos_ + 1)))) {
                ok = number();
            } else if (is_ident_start(c)) {
                ok = word();
            } else {  // operators and punctuation, copied one byte at a time
                float_ = c == '(' && float_ == FloatTypmod::after_float ? FloatTypmod::after_paren : FloatTypmod::none;
                copy(pos_ + 1);
            }
            if (!ok) return false;
        }
        return true;
    }

private:
    // float(p) is a type that PostgreSQL's grammar turns into float4 or float8 by p's value, refusing
    // p < 1 and p > 53: that number is part of the type, not a value, and stays as written.
    enum class FloatTypmod : std::uint8_t { none, after_float, after_paren };

    [[nodiscard]] char at(std::size_t i) const { return i < sql_.size() ? sql_[i] : '\0'; }

    void copy(std::size_t end) {
        out_.append(sql_.substr(pos_, end - pos_));
        pos_ = end;
    }

    void replace(std::size_t end, LiteralKind kind) {
        if (literals_ != nullptr) literals_->push_back(ShapeLiteral{pos_, end - pos_, kind});
        out_.append(kind == LiteralKind::integer   ? integer_placeholder
                    : kind == LiteralKind::numeric ? numeric_placeholder
                                                   : string_placeholder);
        pos_ = end;
    }

    // At i: the end of the comment starting there, 0 when none starts there, npos when it never ends.
    // `--` runs to a newline or carriage return; /* */ nests. Both start anywhere outside quotes, even
    // inside an operator (scan.l cuts the operator there).
    [[nodiscard]] std::size_t comment_end(std::size_t i) const {
        if (at(i) == '-' && at(i + 1) == '-') {
            std::size_t j = i + 2;
            while (j < sql_.size() && sql_[j] != '\n' && sql_[j] != '\r') ++j;
            return j;
        }
        if (at(i) == '/' && at(i + 1) == '*') {
            int depth = 1;
            std::size_t j = i + 2;
            while (j < sql_.size()) {
                if (sql_[j] == '/' && at(j + 1) == '*') {
                    ++depth;
                    j += 2;
                } else if (sql_[j] == '*' && at(j + 1) == '/') {
                    j += 2;
                    if (--depth == 0) return j;
                } else {
                    ++j;
                }
            }
            return npos;
        }
        return 0;
    }

    // The end of the quoted run starting at pos_ (quote q, doubled q inside), or npos when unterminated.
    [[nodiscard]] std::size_t quoted_end(char q) const {
        std::size_t j = pos_ + 1;
        while (j < sql_.size()) {
            if (sql_[j] == q) {
                if (at(j + 1) != q) return j + 1;
                j += 2;
            } else {
                ++j;
            }
        }
        return npos;
    }

    // '…' with '' inside; backslashes are plain characters (standard_conforming_strings is on).
    bool string_literal() {
        const std::size_t end = quoted_end('\'');
        if (end == npos) return false;
        // PostgreSQL glues 'a' <newline> 'b' into one literal; a quote after nothing but spaces and
        // comments is not followed further.
        std::size_t next = end;
        while (next < sql_.size()) {
            if (is_space(sql_[next])) {
                ++next;
            } else if (const std::size_t comment = comment_end(next); comment != 0 && comment != npos) {
                next = comment;
            } else {
                break;
            }
        }
        if (at(next) == '\'') return false;
        float_ = FloatTypmod::none;
        replace(end, LiteralKind::string);
        return true;
    }

    bool quoted_identifier() {
        const std::size_t end = quoted_end('"');
        if (end == npos || end == pos_ + 2) return false;  // unterminated, or "" (PostgreSQL refuses it)
        float_ = FloatTypmod::none;
        copy(end);
        return true;
    }

    // $1 stays as written; any other $ may open a dollar quote.
    bool parameter() {
        std::size_t j = pos_ + 1;
        if (!is_digit(at(j))) return false;
        while (is_digit(at(j))) ++j;
        if (is_ident_cont(at(j))) return false;  // $1a: trailing junk
        float_ = FloatTypmod::none;
        copy(j);
        return true;
    }

    // scan.l: integer {digit}+, decimal ({digit}*\.{digit}+)|({digit}+\.{digit}*), real with [Ee][-+]?
    // digits. Anything touching the number that scan.l lexes in another way (1..2, 1.2.3, 1e, 1e+,
    // 1abc, 0x1F, 1_000, 1'a') means no shape.
    bool number() {
        std::size_t j = pos_;
        bool integer = true;
        while (is_digit(at(j))) ++j;
        if (at(j) == '.') {
            if (at(j + 1) == '.') return false;
            integer = false;
            ++j;
            while (is_digit(at(j))) ++j;
        }
        if (at(j) == 'e' || at(j) == 'E') {
            integer = false;
            ++j;
            if (at(j) == '+' || at(j) == '-') ++j;
            if (!is_digit(at(j))) return false;
            while (is_digit(at(j))) ++j;
        }
        const char next = at(j);
        if (is_ident_cont(next) || next == '.' || next == '\'' || next == '"') return false;
        if (float_ == FloatTypmod::after_paren) {
            float_ = FloatTypmod::none;
            copy(j);
            return true;
        }
        const LiteralKind kind =
            integer && fits_int32(sql_.substr(pos_, j - pos_)) ? LiteralKind::integer : LiteralKind::numeric;
        replace(j, kind);
        return true;
    }

    // A keyword or an identifier, kept. Touching a quote it may be a literal's prefix (E'', B'', X'',
    // N'', a type name): no shape; U& before a quote starts a Unicode literal or identifier.
    bool word() {
        std::size_t j = pos_;
        while (is_ident_cont(at(j))) ++j;
        const std::string_view text = sql_.substr(pos_, j - pos_);
        if (at(j) == '\'') return false;
        if ((text == "u" || text == "U") && at(j) == '&') return false;
        float_ = is_keyword(text, "float") ? FloatTypmod::after_float : FloatTypmod::none;
        copy(j);
        return true;
    }

    std::string_view sql_;
    std::string& out_;
    std::vector<ShapeLiteral>* literals_;
    std::size_t pos_ = 0;
    FloatTypmod float_ = FloatTypmod::none;
};

bool scan(std::string_view sql, std::string& out, std::size_t max_bytes, std::vector<ShapeLiteral>* literals) {
    out.clear();
    if (literals != nullptr) literals->clear();
    if (sql.size() > max_bytes || !plain_ascii(sql)) return false;
    return ShapeScanner(sql, out, literals).run();
}

}  // namespace

bool shape_of(std::string_view sql, std::string& out, std::size_t max_bytes) {
    return scan(sql, out, max_bytes, nullptr);
}

bool shape_of(std::string_view sql, std::string& out, std::size_t max_bytes, std::vector<ShapeLiteral>& literals) {
    return scan(sql, out, max_bytes, &literals);
}

}  // namespace jitgate::guardrails
