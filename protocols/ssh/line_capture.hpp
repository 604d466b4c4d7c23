// The interactive line capture of a terminal channel (DESIGN §4, BEST-EFFORT): the keys typed since the
// last Enter, tracked as bash's readline (emacs mode, default bindings) edits them, and what each key does
// to the pending line; at Enter, or at a key that may run or rewrite the line, the line as the screen
// shows it (TerminalLine) and as it was typed is judged, and a blocked one is cancelled with ^C and a
// notice. Pure: the judge is the caller's; a full-screen program (the alternate screen) has no line.
#pragma once

#include "protocols/ssh/gate.hpp"
#include "protocols/ssh/terminal_line.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jitgate::ssh {

// Why a line may not run, and what to do instead, for the notice on the engineer's terminal.
struct LineBlock {
    std::string reason;
    std::string hint;
};
// Judges one line; nullopt lets it run.
using LineJudge = std::function<std::optional<LineBlock>(std::string_view line)>;

// What a key does to the pending line: nothing the target runs (edit), accept it (run it), something
// else that may run or rewrite it (act: judge the line first), or run a line nobody saw (refuse).
enum class KeyAct : std::uint8_t { edit, accept, act, refuse };

class LineCapture {
public:
    // Keystrokes on the channel whose screen is `screen`, each byte exactly once and in order: by default
    // all pass; a blocked line's Enter (or the key that would act on it) is replaced by ^C, with a notice.
    [[nodiscard]] KeystrokeEdit on_keys(std::span<const char> bytes, TerminalLine& screen, const LineJudge& judge);

    // What `c` does next, given the keys before it.
    [[nodiscard]] KeyAct key_act(unsigned char c) const noexcept;
    // Applies one key to the typed line: printable keys, ^H/DEL, ^U and ^W; escape sequences skipped.
    void typed_key(char key);
    [[nodiscard]] const std::string& typed() const noexcept { return typed_; }

private:
    // Judges the pending line as the screen shows it and as it was typed; the block, if either is blocked.
    // `take`: the line is accepted (Enter), so it is taken off the screen.
    [[nodiscard]] std::optional<LineBlock> judge_line(TerminalLine& screen, const LineJudge& judge, bool take);

    std::string typed_;         // printable keys, ^H/DEL and ^U/^W applied; escape sequences skipped
    int escape_ = 0;            // 0: none, 1: after ESC, 2: inside a CSI/SS3 sequence
    bool after_ctrl_x_ = false; // the last key was C-x (a prefix)
    std::string judged_;        // the pending line as last judged (and allowed) before Enter
};

}  // namespace jitgate::ssh
