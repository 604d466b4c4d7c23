// Plain aligned tables for the CLI (`jitgate audit`, `jitgate sessions`): columns padded to the widest
// cell plus two spaces, the last column unpadded. Widths count UTF-8 characters, not bytes.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

[[nodiscard]] inline std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

template <std::size_t N>
void print_table(const std::vector<std::array<std::string, N>>& rows) {
    std::array<std::size_t, N> width{};
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < N; ++i) width[i] = std::max(width[i], display_width(row[i]));
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i + 1 < N; ++i) {
            line += row[i];
            line.append(width[i] - display_width(row[i]) + 2, ' ');
        }
        line += row.back();
        fmt::print("{}\n", line);
    }
}

}  // namespace jitgate::proxy
