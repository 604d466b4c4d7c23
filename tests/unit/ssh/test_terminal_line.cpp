// Unit tests of the interactive command line read off a libvterm screen: typed and echoed, edited with
// backspaces and cursor moves, recalled from history, wrapped past the margin, scrolled at the bottom,
// and no line on the alternate screen of a full-screen program.
#include "protocols/ssh/terminal_line.hpp"

#include <catch2/catch.hpp>

#include <string>

using jitgate::ssh::TerminalLine;

namespace {

// The engineer types `keys` one by one and the shell echoes each (as bash does in its default mode).
void type_echoed(TerminalLine& terminal, std::string_view keys) {
    for (const char key : keys) {
        terminal.typing();
        terminal.output(std::string_view(&key, 1));
    }
}

}  // namespace

TEST_CASE("the line at Enter is what was typed after the prompt", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("Linux web-1 6.1\r\nalice@web-1:~$ ");
    type_echoed(terminal, "ls -l /srv");
    CHECK(terminal.take_line() == "ls -l /srv");
    CHECK_FALSE(terminal.take_line());  // Enter again with nothing typed
    terminal.output("\r\ntotal 0\r\nalice@web-1:~$ ");
    type_echoed(terminal, "uptime");
    CHECK(terminal.take_line() == "uptime");
}

TEST_CASE("editing is seen as the shell shows it", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("$ ");
    type_echoed(terminal, "rm -rf /tmp/y");
    terminal.typing();
    terminal.output("\b \b");  // backspace, as readline erases
    type_echoed(terminal, "x");
    CHECK(terminal.take_line() == "rm -rf /tmp/x");

    terminal.output("\r\n$ ");
    type_echoed(terminal, "echo safe");
    terminal.typing();
    terminal.output("\x1b[9D");   // cursor to the start of the line (Home)
    terminal.output("rm -rf / #");  // typed over (overwrite shown by the shell's redraw)
    CHECK(terminal.take_line() == "rm -rf / #");
}

TEST_CASE("a line recalled from history is read from the screen, not from the keys", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("$ ");
    terminal.typing();                              // the Up arrow: nothing typed, the shell redraws
    terminal.output("sudo systemctl restart app");  // readline writes the history entry
    CHECK(terminal.take_line() == "sudo systemctl restart app");
}

TEST_CASE("a line that wraps past the margin is read whole, also when the screen scrolls", "[terminal]") {
    TerminalLine terminal(20, 3);
    terminal.output("a\r\nb\r\n$ ");  // the prompt on the last row
    const std::string command = "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb";  // 38 columns: wraps twice
    type_echoed(terminal, command);
    CHECK(terminal.take_line() == command);
}

TEST_CASE("a full-screen program on the alternate screen has no command line", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("$ ");
    type_echoed(terminal, "vim notes");
    CHECK(terminal.take_line() == "vim notes");
    terminal.output("\x1b[?1049h\x1b[H~\r\n~\r\n");  // vim enters the alternate screen
    CHECK(terminal.alternate_screen());
    type_echoed(terminal, ":wq");
    CHECK_FALSE(terminal.take_line());
    terminal.output("\x1b[?1049l\r\n$ ");  // back to the shell
    CHECK_FALSE(terminal.alternate_screen());
    type_echoed(terminal, "ls");
    CHECK(terminal.take_line() == "ls");
}

TEST_CASE("a line feed after the line started makes the start stale: no line is vouched for", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("$ ");
    terminal.typing();  // typed before the shell drew its next prompt
    terminal.output("old output\r\n$ echo ok");
    CHECK_FALSE(terminal.take_line());
    terminal.output("\r\n$ ");
    type_echoed(terminal, "uptime");
    CHECK(terminal.take_line() == "uptime");  // the next line starts afresh
}

TEST_CASE("an abandoned line (Ctrl-C) is forgotten; a resize keeps the line", "[terminal]") {
    TerminalLine terminal(80, 24);
    terminal.output("$ ");
    type_echoed(terminal, "rm -rf /");
    terminal.abandon();
    terminal.output("^C\r\n$ ");
    type_echoed(terminal, "pwd");
    terminal.resize(100, 30);
    CHECK(terminal.take_line() == "pwd");
}
