// The interactive line capture: keys typed at a shell prompt on an emulated screen, the lines judged at
// Enter (as shown and as typed), a blocked Enter replaced by ^C with a notice, and readline's keys that
// edit, accept, act on or refuse the pending line.
#include "protocols/ssh/line_capture.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using jitgate::ssh::TerminalLine;
using namespace jitgate::ssh;

namespace {

constexpr auto all_pass = std::numeric_limits<std::size_t>::max();

// A judge that blocks every line with "rm " in it and remembers what it was asked.
struct Judge {
    std::vector<std::string> asked;
    LineJudge fn() {
        return [this](std::string_view line) -> std::optional<LineBlock> {
            asked.emplace_back(line);
            if (line.find("rm ") != std::string_view::npos) return LineBlock{"destructive command", "ask for a grant"};
            return std::nullopt;
        };
    }
};

struct Shell {
    TerminalLine screen{80, 24};
    LineCapture capture;
    Judge judge;
    Shell() { screen.output("alice@web-1:~$ "); }
    // Keys typed and echoed one by one, as bash does, then `tail` in one burst not yet echoed.
    KeystrokeEdit type(std::string_view echoed, std::string_view burst = {}) {
        for (const char key : echoed) {
            const KeystrokeEdit edit = capture.on_keys(std::span<const char>(&key, 1), screen, judge.fn());
            if (edit.pass != all_pass) return edit;
            if (static_cast<unsigned char>(key) >= 0x20 && key != 0x7F) screen.output(std::string_view(&key, 1));
        }
        return capture.on_keys(std::span<const char>(burst.data(), burst.size()), screen, judge.fn());
    }
};

}  // namespace

TEST_CASE("an allowed line at Enter passes and is judged once", "[ssh][line_capture]") {
    Shell shell;
    const KeystrokeEdit edit = shell.type("ls -l /srv", "\r");
    CHECK(edit.pass == all_pass);
    CHECK(shell.judge.asked == std::vector<std::string>{"ls -l /srv"});
}

TEST_CASE("a blocked line's Enter becomes ^C with the reason and hint on the terminal", "[ssh][line_capture]") {
    Shell shell;
    const KeystrokeEdit edit = shell.type("", "rm -rf /srv\r");
    CHECK(edit.pass == std::string("rm -rf /srv").size());
    CHECK(edit.instead == "\x03");
    CHECK(edit.notice == "\r\njitgate: blocked: destructive command\r\njitgate: ask for a grant\r\n");
}

TEST_CASE("keys typed in one burst and not yet echoed are judged as typed", "[ssh][line_capture]") {
    Shell shell;
    const KeystrokeEdit edit = shell.type("ls", " ; rm -rf /\r");
    CHECK(edit.instead == "\x03");
    CHECK(shell.judge.asked.back() == "ls ; rm -rf /");
}

TEST_CASE("the typed line follows backspace, ^U, ^W and skips escape sequences", "[ssh][line_capture]") {
    struct Row {
        std::string keys;
        std::string typed;
    };
    const std::vector<Row> rows = {
        {"lsx\x7f", "ls"},
        {"lsx\x08", "ls"},
        {"rm -rf /\x15ls", "ls"},
        {"echo one two\x17", "echo one "},
        {"echo  \x17", ""},
        {"ls\x1b[D\x1b[C -l", "ls -l"},   // cursor keys (CSI)
        {"ls\x1bOA", "ls"},               // SS3
        {"ls\x1b[1;5D", "ls"},            // a CSI with parameters
    };
    for (const Row& row : rows) {
        INFO(row.keys);
        LineCapture capture;
        for (const char key : row.keys) capture.typed_key(key);
        CHECK(capture.typed() == row.typed);
    }
}

TEST_CASE("what each key does to the pending line, as readline binds it", "[ssh][line_capture]") {
    const LineCapture fresh;
    CHECK(fresh.key_act('a') == KeyAct::edit);
    CHECK(fresh.key_act('\r') == KeyAct::accept);
    CHECK(fresh.key_act('\n') == KeyAct::accept);
    CHECK(fresh.key_act(0x0F) == KeyAct::accept);  // C-o operate-and-get-next
    CHECK(fresh.key_act(0x7F) == KeyAct::edit);
    CHECK(fresh.key_act(0x09) == KeyAct::edit);    // completion
    CHECK(fresh.key_act(0x1B) == KeyAct::edit);    // ESC waits for the next key
    CHECK(fresh.key_act(0x18) == KeyAct::act);     // C-x: a prefix
    CHECK(fresh.key_act(0x07) == KeyAct::act);     // an unbound control key may be bound by inputrc
    LineCapture after_escape;
    after_escape.typed_key(0x1B);
    CHECK(after_escape.key_act('[') == KeyAct::edit);
    CHECK(after_escape.key_act('#') == KeyAct::act);  // M-#: insert-comment, accepts the line
}

TEST_CASE("C-x C-e is refused: it would run a line nobody read", "[ssh][line_capture]") {
    Shell shell;
    const KeystrokeEdit edit = shell.type("ls", "\x18\x05");
    CHECK(edit.pass == 1);
    CHECK(edit.instead == "\x03");
    CHECK(edit.notice.find("C-x C-e (edit-and-execute-command)") != std::string::npos);
    // The ^C sent instead abandons the line: the next Enter judges only what comes after it.
    shell.screen.output("^C\r\nalice@web-1:~$ ");
    CHECK(shell.type("pwd", "\r").pass == all_pass);
    CHECK(shell.judge.asked.back() == "pwd");
}

TEST_CASE("a key that may act on the line judges it first, once while it stays the same", "[ssh][line_capture]") {
    Shell shell;
    CHECK(shell.type("ls", "\x07").pass == all_pass);
    CHECK(shell.type("", "\x07").pass == all_pass);
    CHECK(shell.judge.asked == std::vector<std::string>{"ls"});
    const KeystrokeEdit edit = shell.type("", "\x1b#");  // M-# acts on the same line: not judged again
    CHECK(edit.pass == all_pass);
    Shell blocked;
    const KeystrokeEdit meta = blocked.type("rm -r x", "\x1b#");
    CHECK(meta.pass == 1);
    CHECK(meta.instead == "\x03");
}

TEST_CASE("^C and ^D abandon the pending line", "[ssh][line_capture]") {
    for (const char abandon : {'\x03', '\x04'}) {
        Shell shell;
        CHECK(shell.type("", std::string("rm -rf /") + abandon).pass == all_pass);
        shell.screen.output("^C\r\nalice@web-1:~$ ");
        CHECK(shell.type("", "\r").pass == all_pass);
        CHECK(shell.judge.asked.empty());
    }
}

TEST_CASE("a full-screen program has no command line to judge", "[ssh][line_capture]") {
    Shell shell;
    shell.screen.output("\x1b[?1049h");  // vim enters the alternate screen
    CHECK(shell.type("", ":!rm -rf /\r").pass == all_pass);
    CHECK(shell.judge.asked.empty());
}
