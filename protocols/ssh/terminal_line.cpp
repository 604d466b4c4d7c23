// The interactive command line off a libvterm screen; see terminal_line.hpp (and its limits).
#include "protocols/ssh/terminal_line.hpp"

#include <vterm.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace jitgate::ssh {

struct TerminalLine::Callbacks {
    static int settermprop(VTermProp prop, VTermValue* value, void* user) {
        if (prop == VTERM_PROP_ALTSCREEN) static_cast<TerminalLine*>(user)->alternate_ = value->boolean != 0;
        return 1;
    }
    // A row scrolled off the top: the line's start moved up with it.
    static int pushline(int /*cols*/, const VTermScreenCell* /*cells*/, void* user) {
        auto* self = static_cast<TerminalLine*>(user);
        if (self->started_) {
            if (self->start_row_ > 0) {
                --self->start_row_;
            } else {
                self->start_col_ = 0;  // its beginning is gone from the screen: keep what is left
            }
        }
        return 1;
    }
    static constexpr VTermScreenCallbacks table{
        nullptr, nullptr, nullptr, &settermprop, nullptr, nullptr, &pushline, nullptr,
    };
};

namespace {
[[nodiscard]] int clamp_size(unsigned value, int fallback) {
    return value == 0 ? fallback : static_cast<int>(std::min(value, 1000u));
}
}  // namespace

TerminalLine::TerminalLine(unsigned cols, unsigned rows) : rows_(clamp_size(rows, 24)), cols_(clamp_size(cols, 80)) {
    vt_ = vterm_new(rows_, cols_);
    vterm_set_utf8(vt_, 1);
    screen_ = vterm_obtain_screen(vt_);
    vterm_screen_set_callbacks(screen_, &Callbacks::table, this);
    vterm_screen_enable_altscreen(screen_, 1);
    vterm_screen_reset(screen_, 1);
}

TerminalLine::~TerminalLine() { vterm_free(vt_); }

void TerminalLine::output(std::string_view bytes) {
    if (bytes.empty()) return;
    if (started_ && bytes.find('\n') != std::string_view::npos) stale_ = true;
    vterm_input_write(vt_, bytes.data(), bytes.size());
}

void TerminalLine::resize(unsigned cols, unsigned rows) {
    rows_ = clamp_size(rows, 24);
    cols_ = clamp_size(cols, 80);
    vterm_set_size(vt_, rows_, cols_);
    start_row_ = std::min(start_row_, rows_ - 1);
    start_col_ = std::min(start_col_, cols_ - 1);
}

void TerminalLine::typing() {
    if (started_) return;
    VTermPos cursor{};
    vterm_state_get_cursorpos(vterm_obtain_state(vt_), &cursor);
    start_row_ = cursor.row;
    start_col_ = cursor.col;
    started_ = true;
    stale_ = false;
}

std::string TerminalLine::row_text(int row, int from_col) const {
    std::vector<char> buffer(static_cast<std::size_t>(cols_) * 4 + 4);
    const VTermRect rect{row, row + 1, from_col, cols_};
    const std::size_t n = vterm_screen_get_text(screen_, buffer.data(), buffer.size(), rect);
    return {buffer.data(), std::min(n, buffer.size())};
}

std::optional<std::string> TerminalLine::take_line() {
    std::optional<std::string> line = peek_line();
    started_ = stale_ = false;
    return line;
}

std::optional<std::string> TerminalLine::peek_line() const {
    if (!started_ || alternate_ || stale_) return std::nullopt;
    VTermPos cursor{};
    vterm_state_get_cursorpos(vterm_obtain_state(vt_), &cursor);
    const int last = std::max(cursor.row, start_row_);
    std::string line;
    for (int row = start_row_; row <= last && row < rows_; ++row) line += row_text(row, row == start_row_ ? start_col_ : 0);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\0')) line.pop_back();
    return line;
}

}  // namespace jitgate::ssh
