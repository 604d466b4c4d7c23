// The shell tokenizer and grammar on their own: quoting, operators and redirections, expansions and
// substitutions, heredocs, malformed input, and how words group into simple commands.
#include "guardrails/shell/shell_lexer.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace shell = jitgate::guardrails::shell;

namespace {

std::vector<std::string> words_of(std::string_view text) {
    const shell::LexResult lexed = shell::lex(text);
    REQUIRE(lexed.ok());
    std::vector<std::string> out;
    for (const shell::Token& token : lexed.tokens) {
        if (token.kind == shell::TokenKind::word) out.push_back(token.word.value);
        else if (token.kind == shell::TokenKind::op) out.push_back("<" + token.op + ">");
        else if (token.kind == shell::TokenKind::arithmetic) out.push_back("((" + token.word.evaluation.arithmetic.front() + "))");
        else out.push_back("[" + (token.redirect.fd >= 0 ? std::to_string(token.redirect.fd) : std::string()) +
                           token.redirect.op + " " + token.redirect.target.value + "]");
    }
    return out;
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("the tokenizer removes quotes and escapes as the shell does", "[shell][lexer]") {
    CHECK(words_of("rm \"-rf\" /") == Words{"rm", "-rf", "/"});
    CHECK(words_of("'r''m' -rf") == Words{"rm", "-rf"});
    CHECK(words_of("r\\m \\-rf") == Words{"rm", "-rf"});
    CHECK(words_of("echo 'a b'\"c d\"e") == Words{"echo", "a bc de"});
    CHECK(words_of("echo \"a\\\"b\\$c\\d\"") == Words{"echo", "a\"b$c\\d"});
    CHECK(words_of("echo $'\\x72\\x6d\\t\\101\\u00e9'") == Words{"echo", "rm\tA\xc3\xa9"});
    CHECK(words_of("echo $\"hi\"") == Words{"echo", "hi"});
    CHECK(words_of("echo a\\\nb") == Words{"echo", "ab"});
    CHECK(words_of("ls \\\n -l") == Words{"ls", "-l"});
    CHECK(words_of("echo a # comment ; rm -rf /") == Words{"echo", "a"});
    CHECK(words_of("echo a#b") == Words{"echo", "a#b"});
    CHECK(words_of("echo '' \"\"") == Words{"echo", "", ""});
}

TEST_CASE("the tokenizer splits operators, redirections and descriptors", "[shell][lexer]") {
    CHECK(words_of("a;b&&c||d|e&f|&g") ==
          Words{"a", "<;>", "b", "<&&>", "c", "<||>", "d", "<|>", "e", "<&>", "f", "<|&>", "g"});
    CHECK(words_of("a\nb") == Words{"a", "<\n>", "b"});
    CHECK(words_of("(a)") == Words{"<(>", "a", "<)>"});
    CHECK(words_of("ls 2>&1 >out 2>>err &>all <in") ==
          Words{"ls", "[2>& 1]", "[> out]", "[2>> err]", "[&> all]", "[< in]"});
    CHECK(words_of("ls >| f <> g &>> h") == Words{"ls", "[>| f]", "[<> g]", "[&>> h]"});
    CHECK(words_of("echo 2 > f") == Words{"echo", "2", "[> f]"});
    CHECK(words_of("grep x <<< 'a b'") == Words{"grep", "x", "[<<< a b]"});
}

TEST_CASE("the tokenizer reports expansions and substitutions, never guessing their values", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("echo $HOME \"$(id -u)\" `date` ${X:-$(whoami)} <(ls) a{b,c} *.log");
    REQUIRE(lexed.ok());
    const auto& t = lexed.tokens;
    REQUIRE(t.size() == 8);
    CHECK(t[1].word.value == "$HOME");
    CHECK(t[1].word.splits);
    CHECK(t[1].word.starts_with_expansion);
    CHECK(t[2].word.expands);
    CHECK_FALSE(t[2].word.splits);
    REQUIRE(t[2].word.substitutions.size() == 1);
    CHECK(t[2].word.substitutions[0].source == "id -u");
    REQUIRE(t[3].word.substitutions.size() == 1);
    CHECK(t[3].word.substitutions[0].kind == shell::Substitution::Kind::backtick);
    CHECK(t[3].word.substitutions[0].source == "date");
    REQUIRE(t[4].word.substitutions.size() == 1);
    CHECK(t[4].word.substitutions[0].source == "whoami");
    REQUIRE(t[5].word.substitutions.size() == 1);
    CHECK(t[5].word.substitutions[0].kind == shell::Substitution::Kind::process_in);
    CHECK(t[6].word.brace);
    CHECK(t[7].word.glob);
    CHECK_FALSE(t[7].word.may_be_option());
}

TEST_CASE("nested substitutions keep their own quoting and parentheses", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("echo $(echo \")\" $(echo ')') (cd /; ls))");
    REQUIRE(lexed.ok());
    REQUIRE(lexed.tokens.size() == 2);
    REQUIRE(lexed.tokens[1].word.substitutions.size() == 1);
    CHECK(lexed.tokens[1].word.substitutions[0].source == "echo \")\" $(echo ')') (cd /; ls)");
}

TEST_CASE("heredoc bodies are data; unquoted ones still run their substitutions", "[shell][lexer]") {
    const shell::LexResult quoted = shell::lex("cat <<'EOF' > out\n$(rm -rf /)\nEOF\necho done");
    REQUIRE(quoted.ok());
    REQUIRE(quoted.tokens.size() == 6);
    CHECK(quoted.tokens[1].redirect.body == "$(rm -rf /)\n");
    CHECK(quoted.tokens[1].redirect.body_quoted);
    CHECK(quoted.tokens[1].redirect.body_substitutions.empty());
    CHECK(quoted.tokens[4].word.value == "echo");

    const shell::LexResult unquoted = shell::lex("cat <<EOF\nhi $(id)\nEOF");
    REQUIRE(unquoted.ok());
    REQUIRE(unquoted.tokens[1].redirect.body_substitutions.size() == 1);
    CHECK(unquoted.tokens[1].redirect.body_substitutions[0].source == "id");

    const shell::LexResult two = shell::lex("cat <<A <<-B\na\nA\n\tb\n\tB\n");
    REQUIRE(two.ok());
    CHECK(two.tokens[1].redirect.body == "a\n");
    CHECK(two.tokens[2].redirect.body == "b\n");  // <<- strips leading tabs from the body too
}

TEST_CASE("malformed input is an error with a reason, never a partial token list", "[shell][lexer]") {
    for (const std::string_view text : {"echo 'a", "echo \"a", "echo $(a", "echo `a", "echo ${a", "cat <<EOF\nx",
                                        "echo \\", "ls >", "echo $'a", "echo $((1+2)"}) {
        INFO(text);
        const shell::LexResult lexed = shell::lex(text);
        CHECK_FALSE(lexed.ok());
        CHECK(lexed.tokens.empty());
    }
}

TEST_CASE("the grammar groups words into simple commands and marks piped input", "[shell][lexer]") {
    const shell::LexResult lexed = shell::lex("A=1 ls -l | (grep x; wc) && { echo; } > f");
    REQUIRE(lexed.ok());
    const shell::ParseResult parsed = shell::parse(lexed.tokens);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.commands.size() == 5);  // the group's redirection stands on its own
    CHECK(parsed.commands[0].assignments.size() == 1);
    CHECK(parsed.commands[0].words.size() == 2);
    CHECK_FALSE(parsed.commands[0].piped_input);
    CHECK(parsed.commands[1].piped_input);
    CHECK(parsed.commands[2].piped_input);
    CHECK_FALSE(parsed.commands[3].piped_input);
    CHECK(parsed.commands[4].redirects.size() == 1);
    for (const std::string_view bad : {"(ls", "ls)", "{ ls;", "ls |", "| ls", "ls && && ls", "f() { ls; }", "case a in a) ;; esac"}) {
        INFO(bad);
        const shell::LexResult l = shell::lex(bad);
        CHECK((!l.ok() || !shell::parse(l.tokens).ok()));
    }
}

TEST_CASE("the tokenizer gives the same words when the text is fed whole or re-lexed from its own substitution", "[shell][lexer]") {
    // A substitution's source, lexed on its own, reads the same as inside its parent.
    const std::string inner = "rm -rf \"/tmp/a b\" 'c'";
    const shell::LexResult outer = shell::lex("echo $(" + inner + ")");
    REQUIRE(outer.ok());
    CHECK(outer.tokens[1].word.substitutions.at(0).source == inner);
    CHECK(words_of(inner) == Words{"rm", "-rf", "/tmp/a b", "c"});
}
