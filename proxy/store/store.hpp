// The state store as one object (grants and the session index behind their interfaces) and the factory
// that opens the implementation the config's `state:` names: `sqlite:PATH` today; `postgres://…` is
// refused as not built yet (DESIGN §11). Limits: one Store per thread (a connection is not shared).
#pragma once

#include "proxy/store/grant_store.hpp"
#include "proxy/store/session_index.hpp"

#include <chrono>
#include <memory>
#include <string_view>

namespace jitgate::proxy {

class Store : public GrantStore, public SessionIndex {
public:
    ~Store() override = default;
};

// Opens (and creates, with its parent directories) the store `state` names, waiting up to `busy_timeout`
// for another process's lock; a sentence when it cannot ("state: `x` is not sqlite:PATH").
[[nodiscard]] StoreResult<std::unique_ptr<Store>> open_store(
    std::string_view state, std::chrono::milliseconds busy_timeout = std::chrono::milliseconds{5000});

}  // namespace jitgate::proxy
