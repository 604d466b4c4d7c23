// Typed, position-keeping reads over a yaml-cpp tree: every problem becomes a Diagnostic at the node
// that caused it, and reading goes on so one run of `jitgate check` reports them all.
#include "config/reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace jitgate::config::detail {
namespace {

constexpr std::size_t max_errors = 1000;

[[nodiscard]] std::string_view type_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "a string";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Undefined: break;
    }
    return "nothing";
}

[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

const Value* Fields::find(std::string_view key) const {
    for (const auto& [name, value] : entries) {
        if (name == key) return &value;
    }
    return nullptr;
}

Reader::Reader(std::string file_name, std::filesystem::path base_dir)
    : file_name_(std::move(file_name)), base_dir_(std::move(base_dir)) {}

void Reader::error(const YAML::Mark& at, std::string message) {
    if (errors_.size() >= max_errors) {
        too_many_errors_ = true;
        return;
    }
    const bool positioned = !at.is_null() && at.line >= 0;
    errors_.push_back(Diagnostic{file_name_, positioned ? at.line + 1 : 1, positioned ? at.column + 1 : 1,
                                 std::move(message)});
}

std::vector<Diagnostic> Reader::take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    if (too_many_errors_) {
        errors_.push_back(Diagnostic{file_name_, 0, 0,
                                     fmt::format("too many errors; only the first {} found are shown",
                                                 max_errors)});
        too_many_errors_ = false;
    }
    return std::move(errors_);
}

bool Reader::spend() {
    if (budget_ == 0) return false;
    if (--budget_ == 0) {
        error(YAML::Mark::null_mark(), "the config is too large (aliases expand it past 200000 values)");
        return false;
    }
    return true;
}

std::string Reader::what_prefix(std::string_view what) {
    return what.empty() ? std::string{} : fmt::format("{}: ", what);
}

std::optional<Fields> Reader::fields(const Value& value, std::string_view what,
                                     std::initializer_list<std::string_view> known) {
    if (!spend()) return std::nullopt;
    if (!value.node.IsMap()) {
        error(value.mark, fmt::format("{} must be a map of key: value, not {}", what, type_name(value.node)));
        return std::nullopt;
    }
    Fields fields{value.node.Mark(), {}};
    std::vector<std::string> known_names(known.begin(), known.end());
    for (auto it = value.node.begin(); it != value.node.end(); ++it) {
        if (!spend()) return std::nullopt;
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            error(key.Mark(), fmt::format("{}: keys must be plain words, not {}", what, type_name(key)));
            continue;
        }
        const std::string& name = key.Scalar();
        if (fields.find(name) != nullptr) {
            error(key.Mark(), fmt::format("{}: duplicate key `{}`", what, name));
            continue;
        }
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            error(key.Mark(), fmt::format("{}: unknown key `{}`{}", what, name, did_you_mean(name, known_names)));
            continue;
        }
        const YAML::Node node = it->second;
        fields.entries.emplace_back(name, Value{node, node.IsNull() ? key.Mark() : node.Mark()});
    }
    return fields;
}

const Value* Reader::required(const Fields& fields, std::string_view key, std::string_view what) {
    const Value* value = fields.find(key);
    if (value == nullptr) error(fields.mark, fmt::format("{}: missing required key `{}`", what, key));
    return value;
}

std::optional<std::vector<Value>> Reader::items(const Value& value, std::string_view what) {
    if (value.node.IsNull()) return std::vector<Value>{};
    if (!value.node.IsSequence()) {
        error(value.mark, fmt::format("{} must be a list, not {}", what, type_name(value.node)));
        return std::nullopt;
    }
    std::vector<Value> items;
    for (auto it = value.node.begin(); it != value.node.end(); ++it) {
        if (!spend()) return std::nullopt;
        const YAML::Node node = *it;
        items.push_back(Value{node, node.Mark().is_null() ? value.mark : node.Mark()});
    }
    return items;
}

std::optional<std::string> Reader::string(const Value& value, std::string_view what) {
    if (!value.node.IsScalar()) {
        error(value.mark, fmt::format("{} must be a string, not {}", what, type_name(value.node)));
        return std::nullopt;
    }
    return value.node.Scalar();
}

std::optional<std::string> Reader::name(const Value& value, std::string_view what) {
    std::optional<std::string> text = string(value, what);
    if (!text) return std::nullopt;
    const bool valid = !text->empty() && text->size() <= 63 &&
                       std::all_of(text->begin(), text->end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                  c == '-' || c == '_' || c == '.';
                       });
    if (!valid) {
        error(value.mark, fmt::format("{} \"{}\" must be 1 to 63 letters, digits, '.', '_' or '-'", what,
                                      text->substr(0, 80)));
        return std::nullopt;
    }
    return text;
}

std::optional<bool> Reader::boolean(const Value& value, std::string_view what) {
    if (value.node.IsScalar()) {
        const std::string& text = value.node.Scalar();
        if (text == "true" || text == "True" || text == "TRUE" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "False" || text == "FALSE" || text == "no" || text == "off") return false;
    }
    error(value.mark, fmt::format("{} must be true or false", what));
    return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const Value& value, std::string_view what, std::int64_t min,
                                            std::int64_t max) {
    if (value.node.IsScalar()) {
        const std::string& text = value.node.Scalar();
        std::int64_t number = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (!text.empty() && ec == std::errc{} && end == text.data() + text.size() && number >= min &&
            number <= max) {
            return number;
        }
    }
    error(value.mark, fmt::format("{} must be a whole number from {} to {}", what, min, max));
    return std::nullopt;
}

std::optional<std::vector<Located>> Reader::strings(const Value& value, std::string_view what) {
    std::optional<std::vector<Value>> list = items(value, what);
    if (!list) return std::nullopt;
    std::vector<Located> out;
    bool ok = true;
    for (const Value& item : *list) {
        std::optional<std::string> text = string(item, fmt::format("each entry of {}", what));
        if (text) {
            out.push_back(Located{std::move(*text), item.mark});
        } else {
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::filesystem::path> Reader::path(const Value& value, std::string_view what) {
    std::optional<std::string> text = string(value, what);
    if (!text) return std::nullopt;
    if (text->empty()) {
        error(value.mark, fmt::format("{} must not be empty", what));
        return std::nullopt;
    }
    return resolve(*text);
}

std::filesystem::path Reader::resolve(const std::filesystem::path& path) const {
    if (path.is_absolute() || base_dir_.empty()) return path;
    return (base_dir_ / path).lexically_normal();
}

std::string describe(const Value& value, std::string_view kind, std::string_view key) {
    if (value.node.IsMap()) {
        for (auto it = value.node.begin(); it != value.node.end(); ++it) {
            const YAML::Node k = it->first;
            const YAML::Node v = it->second;
            if (k.IsScalar() && k.Scalar() == key && v.IsScalar() && v.Scalar().size() <= 63) {
                return fmt::format("{} {}", kind, v.Scalar());
            }
        }
    }
    return std::string{kind};
}

std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const std::string& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (best == nullptr || distance < best_distance) {
            best = &candidate;
            best_distance = distance;
        }
    }
    if (best == nullptr || best_distance == 0) return std::nullopt;
    const std::size_t allowed = std::max<std::size_t>(1, std::min(word.size(), best->size()) / 3);
    if (best_distance > allowed) return std::nullopt;
    return *best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    if (word.size() > 100) return {};
    const std::optional<std::string> nearest = suggest(word, candidates);
    return nearest ? fmt::format(" (did you mean `{}`?)", *nearest) : std::string{};
}

}  // namespace jitgate::config::detail
