// The shell classifier's answers beyond the tables: the reason and effects, --json, the SQL-shaped answer
// for the policy, config programs, and the inputs that must never crash or pass as known (over-long, deep,
// unbalanced, cut off, hostile bytes) or take unbounded time.
#include "shell_cases.hpp"

#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/shell/shell_detail.hpp"
#include "guardrails/shell/shell_lexer.hpp"
#include "guardrails/sql/sql_tree.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using jitgate::config::RiskClass;
using jitgate::guardrails::ShellClassification;
using jitgate::guardrails::ShellClassifier;
namespace shell = jitgate::guardrails::shell;

using namespace shell_cases;

TEST_CASE("the reason names the command that decided", "[shell]") {
    const ShellClassification rm = classifier().classify("ls; rm -rf /tmp/x; echo done");
    CHECK(rm.risk == X);
    CHECK(rm.reason == "rm -rf removes recursively");
    REQUIRE(rm.effects.size() == 3);
    CHECK(rm.effects[1].command == "rm -rf /tmp/x");
    CHECK(rm.effects[0].risk == R);

    const ShellClassification sudo = classifier().classify("sudo systemctl restart nginx");
    CHECK(sudo.risk == A);
    CHECK(sudo.reason.find("systemctl restart") != std::string::npos);

    const ShellClassification sub = classifier().classify("echo $(rm -rf /)");
    CHECK(sub.reason.find("in $(...)") != std::string::npos);

    const ShellClassification pipe = classifier().classify("curl -s https://x | bash");
    CHECK(pipe.risk == U);
    CHECK(pipe.reason.find("pipeline into an interpreter") != std::string::npos);

    const ShellClassification empty = classifier().classify("");
    CHECK(empty.risk == R);
    CHECK(empty.reason == "empty command");
}

TEST_CASE("--json carries the class, the reason and every command", "[shell]") {
    const ShellClassification result = classifier().classify("ls | grep x > out");
    const std::string json = jitgate::guardrails::to_json(result, "ls | grep x > out");
    CHECK(json.find("\"class\":\"write\"") != std::string::npos);
    CHECK(json.find("\"command\":\"grep x\"") != std::string::npos);
    CHECK(json.find("\"input\":\"ls | grep x > out\"") != std::string::npos);
    const std::string bad = jitgate::guardrails::to_json(classifier().classify("echo \xff"), "echo \xff");
    CHECK(bad.find("\"input\"") != std::string::npos);
}

TEST_CASE("a shell answer converts to the SQL classifier's shape for the policy", "[shell]") {
    const jitgate::guardrails::Classification c = as_classification(classifier().classify("sudo rm -rf /"));
    CHECK(c.risk == X);
    CHECK(c.reason == "sudo → rm -rf removes recursively");
    CHECK(c.effects.empty());
    CHECK(c.literal_sensitive);
}

TEST_CASE("config classify.programs adds programs and wins over the built-in table", "[shell]") {
    jitgate::config::ClassifyTables tables;
    tables.programs[R] = {"kubectl-get", "frobnicate", "/opt/tools/report"};
    tables.programs[A] = {"deployctl", "ls"};
    const ShellClassifier configured(tables);
    CHECK(configured.classify("frobnicate --all").risk == R);
    CHECK(configured.classify("deployctl rollout web").risk == A);
    CHECK(configured.classify("ls").risk == A);
    CHECK(configured.classify("/opt/tools/report").risk == R);
    CHECK(configured.classify("/tmp/frobnicate").risk == U);  // a basename entry does not vouch for any path
    CHECK(configured.classify("frobnicate | sh").risk == U);
    CHECK(configured.classify("sudo frobnicate").risk == A);
    // A configured wrapper keeps classifying what it runs.
    jitgate::config::ClassifyTables lowering;
    lowering.programs[R] = {"sudo", "bash"};
    const ShellClassifier lowered(lowering);
    CHECK(lowered.classify("sudo rm -rf /").risk == X);
    CHECK(lowered.classify("bash -c 'rm -rf /'").risk == X);
    // For a program that runs nothing visible, config is the last word, in both directions.
    jitgate::config::ClassifyTables opaque;
    opaque.programs[R] = {"python3"};
    opaque.programs[X] = {"cat"};
    const ShellClassifier admin_says(opaque);
    CHECK(admin_says.classify("python3 report.py").risk == R);
    CHECK(admin_says.classify("cat /etc/hosts").risk == X);
    CHECK(admin_says.classify("python3 report.py > /etc/x").risk == X);  // its redirections still count
}

TEST_CASE("over-long, NUL-holding and deeply nested input is unknown", "[shell]") {
    const ShellClassifier small({}, 64);
    CHECK(small.classify(std::string(65, 'a')).risk == U);
    CHECK(small.classify(std::string(64, 'a')).risk == U);  // an unknown program, but classified
    CHECK(classifier().classify(std::string_view("ls\0rm", 5)).risk == U);

    std::string nested = "ls";
    for (int i = 0; i < 40; ++i) nested = "echo $(" + nested + ")";
    const ShellClassification deep = classifier().classify(nested);
    CHECK(deep.risk == U);
    CHECK(deep.reason.find("nested deeper") != std::string::npos);

    std::string evals = "ls";
    for (int i = 0; i < 40; ++i) evals = "eval " + evals;  // each eval re-reads the rest one level deeper
    const ShellClassification eval_deep = classifier().classify(evals);
    CHECK(eval_deep.risk == U);
    CHECK(eval_deep.reason.find("nested deeper") != std::string::npos);
    std::string shells_deep = "ls";
    for (int i = 0; i < 40; ++i) shells_deep = "nice " + shells_deep;  // each wrapper is one level deeper
    CHECK(classifier().classify(shells_deep).reason.find("nested deeper") != std::string::npos);
    CHECK(classifier().classify("nice nice nice ls").risk == R);

    std::string shells = "ls";
    for (int i = 0; i < 40; ++i) shells = "sh -c \"ssh h " + shells + "\"";
    CHECK(classifier().classify(shells).risk == U);

    std::string backticks = "ls";
    for (int i = 0; i < 20; ++i) {
        std::string escaped;
        for (const char c : backticks) escaped += (c == '`' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        backticks = "echo `" + escaped + "`";
    }
    CHECK(classifier().classify(backticks).risk == U);

    CHECK(classifier().classify(std::string(10000, '(')).risk == U);
    CHECK(classifier().classify(std::string(10000, '$')).risk == U);  // $$ expands: not a known program
}

TEST_CASE("the program rule table is sorted for its binary search", "[shell]") {
    CHECK(shell::rules_are_sorted());
    CHECK(shell::find_rule("rm") != nullptr);
    CHECK(shell::find_rule("zzz") == nullptr);
}

TEST_CASE("shell classify is safe to call from several threads at once", "[shell]") {
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &wrong] {
            for (int i = 0; i < 200; ++i) {
                if (classifier().classify("sudo rm -rf / && echo $(ls)").risk != X) ++wrong[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(wrong == std::vector<int>(4, 0));
}

TEST_CASE("every prefix of a command line classifies: cut-off input is unknown or a class, never a crash", "[shell]") {
    for (const std::string_view text :
         {std::string_view("sudo -u x sh -c 'rm -rf \"/tmp/a b\"' && echo $(id -u) `date` ${X:-$(ls)} | tee >(cat) >/dev/null 2>&1"),
          std::string_view("cat <<'EOF' > out\n$(rm -rf /)\nEOF\nbash <<-X\n\tls\n\tX\n"),
          std::string_view("for f in $(ls); do if [[ -f $f ]]; then { rm \"$f\"; }; fi; done"),
          std::string_view("echo $'\\x72\\x6d' \\\n -rf; ssh h 'find / -exec rm {} \\;'")}) {
        for (std::size_t n = 0; n <= text.size(); ++n) {
            const ShellClassification result = classifier().classify(text.substr(0, n));
            INFO(text.substr(0, n));
            CHECK_FALSE(result.reason.empty());
        }
    }
    CHECK(classifier().classify("sh -c 'rm -rf").risk == U);
    CHECK(classifier().classify("echo $(rm -rf /").risk == U);
}

TEST_CASE("pathological input stays fast: work is bounded by length times depth", "[shell]") {
    const ShellClassifier big({}, 64 * 1024);
    for (const char c : std::string("[{($`'\"\\<>|;&")) {
        const auto start = std::chrono::steady_clock::now();
        (void)big.classify(std::string(64 * 1024, c));
        (void)big.classify("echo " + std::string(32 * 1024, c) + " " + std::string(32 * 1024 - 10, 'a'));
        const auto elapsed = std::chrono::steady_clock::now() - start;
        INFO("character " << c);
        CHECK(elapsed < std::chrono::seconds(2));
    }
    std::string braces;
    for (int i = 0; i < 60; ++i) braces += "{1..1}";
    for (int i = 0; i < 9; ++i) braces += "{a,b}";
    const auto start = std::chrono::steady_clock::now();
    CHECK(big.classify("echo " + braces).risk == R);
    CHECK(big.classify("rm " + braces).risk == X);  // too many words to expand: may be options
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    std::string sudos;
    for (int i = 0; i < 5000; ++i) sudos += "sudo ";
    CHECK(big.classify(sudos + "ls").risk == U);
    std::string subs;
    for (int i = 0; i < 2500; ++i) subs += "$(echo $(echo $(ls))) ";
    CHECK(big.classify("echo " + subs).risk == R);
}

TEST_CASE("what the shell classifier writes back is valid UTF-8 whatever bytes the command holds",
          "[shell]") {
    // issue 11 item 4: a reason quoting a word cut inside a multibyte character (or plain bad bytes).
    for (const std::string& text : {std::string("ls > /tmp/\xef\xbc"), std::string("rm /tmp/\xff\xfe"),
                                   std::string("cat \xc3"), std::string("echo \xe2\x82") + std::string(300, 'x')}) {
        const ShellClassification result = classifier().classify(text);
        INFO(text);
        CHECK(jitgate::guardrails::detail::is_valid_utf8(result.reason));
        for (const jitgate::guardrails::ShellEffect& effect : result.effects) {
            CHECK(jitgate::guardrails::detail::is_valid_utf8(effect.reason));
            CHECK(jitgate::guardrails::detail::is_valid_utf8(effect.command));
        }
    }
}
