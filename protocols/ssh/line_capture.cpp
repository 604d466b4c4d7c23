// Typed-key tracking and the judging of interactive lines at Enter (see line_capture.hpp).
#include "protocols/ssh/line_capture.hpp"

#include <fmt/format.h>

#include <utility>

namespace jitgate::ssh {

void LineCapture::typed_key(char key) {
    const auto c = static_cast<unsigned char>(key);
    if (escape_ == 1) {  // after ESC: a CSI or SS3 sequence, or a single Meta key
        escape_ = (key == '[' || key == 'O') ? 2 : 0;
        return;
    }
    if (escape_ == 2) {  // parameters until the final byte
        if (c >= 0x40 && c <= 0x7E) escape_ = 0;
        return;
    }
    if (c == 0x1B) {
        escape_ = 1;
    } else if (c == 0x7F || c == 0x08) {
        if (!typed_.empty()) typed_.pop_back();
    } else if (c == 0x15) {  // ^U: the line is gone
        typed_.clear();
    } else if (c == 0x17) {  // ^W: the last word is gone
        while (!typed_.empty() && typed_.back() == ' ') typed_.pop_back();
        while (!typed_.empty() && typed_.back() != ' ') typed_.pop_back();
    } else if (c >= 0x20) {
        typed_.push_back(key);
    }
}

// What a key does at bash's prompt (readline, emacs mode, default bindings). Keys that insert or edit
// the line, or move in it, change nothing on the target; a key that accepts it (Enter, C-j, C-o
// operate-and-get-next) runs it; any other key may run or rewrite it (M-#, C-x C-e and bindings the
// target's inputrc adds), so the pending line is judged then too.
KeyAct LineCapture::key_act(unsigned char c) const noexcept {
    if (escape_ == 1) return c == '[' || c == 'O' ? KeyAct::edit : KeyAct::act;  // Meta-<key>: a command
    if (escape_ == 2) return KeyAct::edit;  // inside a cursor or function key's sequence
    if (after_ctrl_x_) return c == 0x05 ? KeyAct::refuse : KeyAct::act;  // C-x C-e: edit-and-execute
    if (c == '\r' || c == '\n' || c == 0x0F) return KeyAct::accept;
    if (c >= 0x20 && c != 0x7F) return KeyAct::edit;
    switch (c) {
    case 0x01: case 0x02: case 0x05: case 0x06:  // C-a C-b C-e C-f: move
    case 0x08: case 0x7F: case 0x0B: case 0x15: case 0x17: case 0x19: case 0x1F:  // erase, kill, yank, undo
    case 0x09: case 0x0C: case 0x0E: case 0x10: case 0x12: case 0x14:  // complete, clear, history, transpose
    case 0x1B:  // ESC: decided by the key after it
        return KeyAct::edit;
    default: return KeyAct::act;
    }
}

std::optional<LineBlock> LineCapture::judge_line(TerminalLine& screen, const LineJudge& judge, bool take) {
    const std::optional<std::string> shown = take ? screen.take_line() : screen.peek_line();
    const std::string typed = take ? std::exchange(typed_, std::string()) : typed_;
    if (screen.alternate_screen()) return std::nullopt;  // a full-screen program: no command line
    const auto judge_one = [&](const std::string& line) -> std::optional<LineBlock> {
        if (!take && line == judged_) return std::nullopt;  // judged as it is now already, and allowed
        std::optional<LineBlock> block = judge(line);
        if (block) return block;
        if (!take) judged_ = line;
        return std::nullopt;
    };
    std::optional<LineBlock> blocked;
    if (shown && !shown->empty()) blocked = judge_one(*shown);
    if (!blocked && !typed.empty() && (!shown || typed != *shown)) blocked = judge_one(typed);
    if (take) judged_.clear();
    return blocked;
}

KeystrokeEdit LineCapture::on_keys(std::span<const char> bytes, TerminalLine& screen, const LineJudge& judge) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char key = bytes[i];
        if (key == 0x03 || key == 0x04) {  // ^C, ^D: the shell abandons the line
            screen.abandon();
            typed_.clear();
            judged_.clear();
            escape_ = 0;
            after_ctrl_x_ = false;
            continue;
        }
        const KeyAct act = key_act(static_cast<unsigned char>(key));
        after_ctrl_x_ = act != KeyAct::refuse && escape_ == 0 && !after_ctrl_x_ && key == 0x18;
        std::optional<LineBlock> blocked;
        std::string refusal;
        switch (act) {
        case KeyAct::edit:
            screen.typing();
            typed_key(key);
            continue;
        case KeyAct::accept:
            // Enter: judge the line as the screen shows it and as it was typed; either one blocked cancels
            // it (the screen sees editing, history and completion; the keys see what is not echoed yet).
            escape_ = 0;
            blocked = judge_line(screen, judge, true);
            break;
        case KeyAct::act:
            screen.typing();
            typed_key(key);  // ends a Meta key's escape
            blocked = judge_line(screen, judge, false);
            break;
        case KeyAct::refuse:
            after_ctrl_x_ = false;
            refusal = "jitgate: blocked: C-x C-e (edit-and-execute-command) runs a line jitgate cannot read first; "
                      "edit the line at the prompt instead";
            break;
        }
        if (!blocked && refusal.empty()) continue;
        std::string notice = refusal.empty() ? fmt::format("\r\njitgate: blocked: {}\r\n", blocked->reason)
                                             : fmt::format("\r\n{}\r\n", refusal);
        if (blocked && !blocked->hint.empty()) notice += fmt::format("jitgate: {}\r\n", blocked->hint);
        if (act != KeyAct::accept) {  // the ^C sent instead abandons the line
            screen.abandon();
            typed_.clear();
            judged_.clear();
            escape_ = 0;
        }
        return {i, "\x03", std::move(notice)};
    }
    return {};
}

}  // namespace jitgate::ssh
