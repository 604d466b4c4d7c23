// open_store: the config's `state:` URL to the store implementation that serves it.
#include "proxy/store/open_store.hpp"

#include "proxy/store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <string>

namespace jitgate::proxy {

Result<std::unique_ptr<Store>> open_store(std::string_view state, std::chrono::milliseconds busy_timeout) {
    constexpr std::string_view sqlite_prefix = "sqlite:";
    if (state.starts_with("postgres://") || state.starts_with("postgresql://")) {
        return {std::nullopt, "state: a PostgreSQL state store is not supported yet; use state: sqlite:PATH"};
    }
    if (!state.starts_with(sqlite_prefix) || state.size() == sqlite_prefix.size()) {
        return {std::nullopt, fmt::format("state: `{}` is not sqlite:PATH", state)};
    }
    const std::filesystem::path path{std::string{state.substr(sqlite_prefix.size())}};
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(path, busy_timeout);
    if (!opened) return {std::nullopt, std::move(opened.error)};
    return {std::unique_ptr<Store>{std::move(*opened.value)}, {}};
}

}  // namespace jitgate::proxy
