// The command line of an interactive shell, read off an emulated terminal (DESIGN §4): libvterm is fed
// the target's output and resized with the client, so the line at Enter is the line the shell shows —
// after editing, history recall, completion — not the keystrokes that made it.
//
// Where the line starts: at the cursor when the engineer types the first key after an Enter (the end of
// the prompt, in the usual case). It ends at the end of the cursor's row; rows between are joined (a
// long line wraps). While a full-screen program runs on the alternate screen (vim, less, top) there is
// no command line: take_line() says so. When the target sends a line feed after the line started (keys
// typed before the prompt appeared, a completion listing, a background job's output) the start is
// stale and take_line() says there is no line it can vouch for: the caller judges the typed keys then.
//
// BEST-EFFORT, stated plainly: a shell that redraws its line elsewhere without a line feed (Ctrl-L, some
// fancy prompts) can show the line where this does not look; text the shell hides (a password prompt)
// is not a command and is read anyway. Interactive detection is an aid for honest mistakes; exec-only roles (ssh.pty: false) are
// the strict mode.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct VTerm;
struct VTermScreen;

namespace jitgate::ssh {

class TerminalLine {
public:
    TerminalLine(unsigned cols, unsigned rows);
    ~TerminalLine();
    TerminalLine(const TerminalLine&) = delete;
    TerminalLine& operator=(const TerminalLine&) = delete;

    // The target's output, as the client's terminal gets it.
    void output(std::string_view bytes);
    void resize(unsigned cols, unsigned rows);
    // The engineer typed something other than Enter: the line starts here if it has not started.
    void typing();
    // Ctrl-C, Ctrl-D and the like: the shell abandons the line; the next key starts a new one.
    void abandon() noexcept { started_ = stale_ = false; }
    // Enter: the command line as the screen shows it, trailing blanks trimmed; nullopt when there is none
    // (nothing typed since the last Enter, a full-screen program on the alternate screen, or a start made
    // stale by a line feed). Either way the next key starts a new line.
    [[nodiscard]] std::optional<std::string> take_line();
    // The line take_line() would return now, leaving it in place (a key that may act on the line).
    [[nodiscard]] std::optional<std::string> peek_line() const;

    [[nodiscard]] bool alternate_screen() const noexcept { return alternate_; }

private:
    struct Callbacks;  // libvterm's screen callbacks (terminal_line.cpp)
    friend struct Callbacks;
    [[nodiscard]] std::string row_text(int row, int from_col) const;

    VTerm* vt_ = nullptr;
    VTermScreen* screen_ = nullptr;
    int rows_;
    int cols_;
    bool started_ = false;
    bool stale_ = false;  // a line feed came after the start
    int start_row_ = 0;
    int start_col_ = 0;
    bool alternate_ = false;
};

}  // namespace jitgate::ssh
