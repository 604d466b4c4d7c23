// Parsers for the small value types written in jitgate.yaml: risk classes, durations, sizes,
// RFC 3339 timestamps and host:port endpoints. Pure functions over text; failures are values.
#include "config/config.hpp"

#include <arpa/inet.h>
#include <date/date.h>
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>

namespace jitgate::config {
namespace {

// Reads a run of ASCII digits at the front of `text` into `out`; false when there is none or it overflows.
template <class Int>
[[nodiscard]] bool take_number(std::string_view& text, Int& out) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, out);
    if (ec != std::errc{} || end != text.data() + digits) return false;
    text.remove_prefix(digits);
    return true;
}

// Exactly `width` digits at the front of `text`.
[[nodiscard]] bool take_fixed(std::string_view& text, std::size_t width, int& out) {
    if (text.size() < width) return false;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    out = value;
    text.remove_prefix(width);
    return true;
}

[[nodiscard]] bool take_char(std::string_view& text, std::string_view choices) {
    if (text.empty() || choices.find(text.front()) == std::string_view::npos) return false;
    text.remove_prefix(1);
    return true;
}

template <class T>
[[nodiscard]] Result<T> fail(std::string message) {
    return Result<T>{std::nullopt, std::move(message)};
}

template <class T>
[[nodiscard]] Result<T> ok(T value) {
    return Result<T>{std::move(value), {}};
}

struct Unit {
    char suffix;
    std::int64_t seconds;
};
constexpr std::array<Unit, 4> duration_units{{{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
// Durations longer than this are certainly typos (and keep arithmetic far from overflow).
constexpr std::int64_t max_duration_seconds = std::int64_t{100} * 366 * 86400;

[[nodiscard]] bool is_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    for (const char c : host) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '.' && c != '_') return false;
    }
    return host.front() != '-' && host.front() != '.';
}

}  // namespace

std::string_view to_string(RiskClass risk) noexcept {
    switch (risk) {
        case RiskClass::read: return "read";
        case RiskClass::write: return "write";
        case RiskClass::ddl: return "ddl";
        case RiskClass::admin: return "admin";
        case RiskClass::destructive: return "destructive";
        case RiskClass::unknown: return "unknown";
    }
    return "unknown";
}

std::optional<RiskClass> parse_risk_class(std::string_view text) noexcept {
    for (const RiskClass risk : {RiskClass::read, RiskClass::write, RiskClass::ddl, RiskClass::admin,
                                 RiskClass::destructive, RiskClass::unknown}) {
        if (text == to_string(risk)) return risk;
    }
    return std::nullopt;
}

std::string_view to_string(TargetKind kind) noexcept {
    return kind == TargetKind::postgres ? "postgres" : "ssh";
}

std::string_view to_string(RuleMode mode) noexcept {
    return mode == RuleMode::enforce ? "enforce" : "shadow";
}

Result<Seconds> parse_duration(std::string_view text) {
    const std::string_view original = text;
    const auto bad = [&](std::string_view why) {
        return fail<Seconds>(fmt::format("bad duration \"{}\": {} (write e.g. 90s, 30m, 2h, 1h30m, 7d)",
                                         original, why));
    };
    if (text.empty()) return bad("it is empty");
    if (text.front() == '-' || text.front() == '+') return bad("a duration has no sign");
    std::int64_t total = 0;
    std::size_t next_unit = 0;   // units must come in the order d, h, m, s
    while (!text.empty()) {
        std::int64_t amount = 0;
        if (!take_number(text, amount)) {
            return bad(next_unit > 0 ? "unknown unit (use d, h, m or s)" : "expected a number");
        }
        if (text.empty()) return bad("the number needs a unit (d, h, m or s)");
        std::size_t unit = next_unit;
        while (unit < duration_units.size() && duration_units[unit].suffix != text.front()) ++unit;
        if (unit == duration_units.size()) {
            const bool known = std::string_view{"dhms"}.find(text.front()) != std::string_view::npos;
            return bad(known ? "units must come largest first, each once" : "unknown unit");
        }
        text.remove_prefix(1);
        if (amount > max_duration_seconds / duration_units[unit].seconds) return bad("it is too long");
        total += amount * duration_units[unit].seconds;
        if (total > max_duration_seconds) return bad("it is too long");
        next_unit = unit + 1;
    }
    return ok(Seconds{total});
}

std::string format_duration(Seconds duration) {
    std::int64_t left = duration.count();
    if (left <= 0) return "0s";
    std::string text;
    for (const Unit& unit : duration_units) {
        if (left >= unit.seconds) {
            text += fmt::format("{}{}", left / unit.seconds, unit.suffix);
            left %= unit.seconds;
        }
    }
    return text;
}

Result<std::size_t> parse_size(std::string_view text) {
    const std::string_view original = text;
    const auto bad = [&](std::string_view why) {
        return fail<std::size_t>(
            fmt::format("bad size \"{}\": {} (write e.g. 65536, 64KiB, 16MiB)", original, why));
    };
    std::uint64_t amount = 0;
    if (!take_number(text, amount)) return bad("expected a number of bytes");
    struct Suffix {
        std::string_view name;
        std::uint64_t factor;
    };
    constexpr std::array<Suffix, 9> suffixes{{{"", 1},
                                              {"B", 1},
                                              {"KiB", 1ULL << 10},
                                              {"MiB", 1ULL << 20},
                                              {"GiB", 1ULL << 30},
                                              {"kB", 1000},
                                              {"KB", 1000},
                                              {"MB", 1000 * 1000},
                                              {"GB", 1000 * 1000 * 1000}}};
    for (const Suffix& suffix : suffixes) {
        if (text != suffix.name) continue;
        if (amount > std::numeric_limits<std::size_t>::max() / suffix.factor) return bad("it is too large");
        return ok(static_cast<std::size_t>(amount * suffix.factor));
    }
    return bad("unknown unit");
}

Result<TimePoint> parse_timestamp(std::string_view text) {
    const std::string_view original = text;
    const auto bad = [&](std::string_view why) {
        return fail<TimePoint>(fmt::format(
            "bad timestamp \"{}\": {} (write RFC 3339, e.g. 2026-12-01T18:00:00Z)", original, why));
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!take_fixed(text, 4, year) || !take_char(text, "-") || !take_fixed(text, 2, month) ||
        !take_char(text, "-") || !take_fixed(text, 2, day)) {
        return bad("expected a date YYYY-MM-DD");
    }
    if (!take_char(text, "Tt ")) return bad("expected T and a time after the date");
    if (!take_fixed(text, 2, hour) || !take_char(text, ":") || !take_fixed(text, 2, minute) ||
        !take_char(text, ":") || !take_fixed(text, 2, second)) {
        return bad("expected a time HH:MM:SS");
    }
    std::chrono::nanoseconds fraction{0};
    if (take_char(text, ".")) {
        std::int64_t scale = 100'000'000;
        std::size_t digits = 0;
        while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
            fraction += std::chrono::nanoseconds{(text.front() - '0') * scale};
            scale /= 10;
            text.remove_prefix(1);
            ++digits;
        }
        if (digits == 0) return bad("expected digits after the decimal point");
    }
    std::chrono::minutes offset{0};
    if (take_char(text, "Zz")) {
        // UTC
    } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        const bool negative = text.front() == '-';
        text.remove_prefix(1);
        int offset_hours = 0, offset_minutes = 0;
        if (!take_fixed(text, 2, offset_hours) || !take_char(text, ":") ||
            !take_fixed(text, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
            return bad("expected a UTC offset +HH:MM");
        }
        offset = std::chrono::minutes{offset_hours * 60 + offset_minutes};
        if (negative) offset = -offset;
    } else {
        return bad("expected a time zone: Z or an offset like +02:00");
    }
    if (!text.empty()) return bad("unexpected text after the time zone");

    const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                   date::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return bad("no such date");
    // system_clock counts nanoseconds in 64 bits: it ends in 2262. Far enough for any grant.
    if (year < 1900 || year > 2200) return bad("the year must be from 1900 to 2200");
    if (hour > 23 || minute > 59 || second > 59) return bad("no such time of day");
    const auto local = date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                       std::chrono::seconds{second};
    return ok(std::chrono::time_point_cast<TimePoint::duration>(local - offset + fraction));
}

std::string Endpoint::to_string() const {
    if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

bool is_loopback(const Endpoint& endpoint) noexcept {
    if (endpoint.host == "localhost" || endpoint.host == "::1") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, endpoint.host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return false;
}

Result<Endpoint> parse_endpoint(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return fail<Endpoint>(fmt::format(
            "bad address \"{}\": {} (write host:port, e.g. 127.0.0.1:5432 or [::1]:6432)", text, why));
    };
    std::string_view host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return bad("missing ]");
        host = text.substr(1, close - 1);
        std::array<unsigned char, 16> address{};
        const std::string host_copy{host};
        if (inet_pton(AF_INET6, host_copy.c_str(), address.data()) != 1) {
            return bad("not an IPv6 address inside [ ]");
        }
        if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing :port");
        port_text = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return bad("missing :port");
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return bad("an IPv6 address needs [ ] around it");
        if (!is_host_name(host)) return bad("not a host name or IP address");
    }
    std::uint32_t port = 0;
    std::string_view digits = port_text;
    if (!take_number(digits, port) || !digits.empty()) return bad("the port must be a number");
    if (port < 1 || port > 65535) return bad("the port must be 1..65535");
    return ok(Endpoint{std::string{host}, static_cast<std::uint16_t>(port)});
}

std::string Diagnostic::to_string() const {
    if (line <= 0) return fmt::format("{}: {}", file, message);
    return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

}  // namespace jitgate::config
