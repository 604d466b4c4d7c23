// Weekly time windows ("Mon-Fri 09:00-18:00 Europe/Berlin"): parsing, and deciding whether an instant
// falls inside one, by the wall clock of the window's IANA time zone (Howard Hinnant's date, OS tzdb).
#include "config/config.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace jitgate::config {
namespace {

constexpr std::array<std::string_view, 7> day_names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// Monday = 0 ... Sunday = 6, case-insensitive English three-letter names.
[[nodiscard]] std::optional<unsigned> parse_day(std::string_view text) {
    if (text.size() != 3) return std::nullopt;
    std::string lower;
    for (const char c : text) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    for (unsigned i = 0; i < day_names.size(); ++i) {
        if (lower == day_names[i]) return i;
    }
    return std::nullopt;
}

// "Mon-Fri", "Sun", "Mon,Wed,Fri", "Sat-Mon" (wraps) -> a bit set, bit 0 = Monday.
[[nodiscard]] std::optional<std::uint8_t> parse_days(std::string_view text) {
    std::uint8_t days = 0;
    while (true) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        const std::size_t dash = item.find('-');
        const std::optional<unsigned> first = parse_day(item.substr(0, dash));
        if (!first) return std::nullopt;
        unsigned last = *first;
        if (dash != std::string_view::npos) {
            const std::optional<unsigned> end = parse_day(item.substr(dash + 1));
            if (!end) return std::nullopt;
            last = *end;
        }
        for (unsigned day = *first;; day = (day + 1) % 7) {
            days = static_cast<std::uint8_t>(days | (1U << day));
            if (day == last) break;
        }
        if (comma == std::string_view::npos) return days;
        text.remove_prefix(comma + 1);
    }
}

// "HH:MM" -> minutes after midnight; "24:00" only when `end` is true.
[[nodiscard]] std::optional<std::uint16_t> parse_clock(std::string_view text, bool end) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    for (const std::size_t i : {0U, 1U, 3U, 4U}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (minutes > 59) return std::nullopt;
    if (hours > 23 && !(end && hours == 24 && minutes == 0)) return std::nullopt;
    return static_cast<std::uint16_t>(hours * 60 + minutes);
}

[[nodiscard]] bool is_known_time_zone(const std::string& name) {
    try {
        return date::locate_zone(name) != nullptr;
    } catch (const std::exception&) {
        return false;
    }
}

[[nodiscard]] bool has_day(std::uint8_t days, unsigned day) { return ((days >> day) & 1U) != 0; }

}  // namespace

Result<Window> parse_window(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return Result<Window>{std::nullopt,
                              fmt::format("bad window \"{}\": {} (write e.g. \"Mon-Fri 09:00-18:00 "
                                          "Europe/Berlin\" or \"Sun 02:00-04:00 UTC\")",
                                          text, why)};
    };
    std::vector<std::string_view> words;
    for (std::string_view rest = text; !rest.empty();) {
        const std::size_t start = rest.find_first_not_of(" \t");
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        const std::size_t end = rest.find_first_of(" \t");
        words.push_back(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    if (words.empty()) return bad("it is empty");
    Window window;
    window.text = std::string{text};
    std::size_t next = 0;
    if (words[0].find(':') == std::string_view::npos) {
        const std::optional<std::uint8_t> days = parse_days(words[0]);
        if (!days) return bad("expected days like Mon-Fri, Sun or Mon,Wed,Fri");
        window.days = *days;
        next = 1;
    } else {
        window.days = 0x7f;
    }
    if (next >= words.size()) return bad("expected a time range HH:MM-HH:MM");
    const std::string_view range = words[next];
    const std::size_t dash = range.find('-');
    const std::optional<std::uint16_t> start =
        dash == std::string_view::npos ? std::nullopt : parse_clock(range.substr(0, dash), false);
    const std::optional<std::uint16_t> end =
        dash == std::string_view::npos ? std::nullopt : parse_clock(range.substr(dash + 1), true);
    if (!start || !end) return bad("expected a time range HH:MM-HH:MM (00:00 to 24:00)");
    if (*start == *end) return bad("start and end are the same (use 00:00-24:00 for the whole day)");
    window.start_minute = *start;
    window.end_minute = *end;
    if (next + 1 >= words.size()) return bad("the time zone is missing (e.g. UTC or Europe/Berlin)");
    if (next + 2 < words.size()) return bad("unexpected text after the time zone");
    window.time_zone = std::string{words[next + 1]};
    if (!is_known_time_zone(window.time_zone)) {
        return bad(fmt::format("unknown time zone \"{}\" (use an IANA name like Europe/Berlin)",
                               window.time_zone));
    }
    return Result<Window>{std::move(window), {}};
}

bool Window::contains(TimePoint when) const {
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(time_zone);
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("window \"{}\": {}", text, e.what()));
    }
    const auto local = date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(when)).get_local_time();
    const auto local_day = std::chrono::floor<date::days>(local);
    const unsigned today = (date::weekday{local_day}.iso_encoding() + 6) % 7;   // Monday = 0
    const unsigned yesterday = (today + 6) % 7;
    const auto minute = static_cast<std::uint16_t>(
        std::chrono::duration_cast<std::chrono::minutes>(local - local_day).count());
    if (start_minute < end_minute) {
        return has_day(days, today) && minute >= start_minute && minute < end_minute;
    }
    // Runs past midnight: the evening part belongs to today, the morning part to yesterday's window.
    if (has_day(days, today) && minute >= start_minute) return true;
    return has_day(days, yesterday) && minute < end_minute;
}

}  // namespace jitgate::config
