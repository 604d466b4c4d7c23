// The factory that opens the store implementation the config's `state:` names: `sqlite:PATH` today;
// `postgres://…` is refused as not built yet (DESIGN §11).
#pragma once

#include "proxy/store/store.hpp"

#include <chrono>
#include <memory>
#include <string_view>

namespace jitgate::proxy {

// Opens (and creates, with its parent directories) the store `state` names, waiting up to `busy_timeout`
// for another process's lock; a sentence when it cannot ("state: `x` is not sqlite:PATH").
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(
    std::string_view state, std::chrono::milliseconds busy_timeout = std::chrono::milliseconds{5000});

}  // namespace jitgate::proxy
