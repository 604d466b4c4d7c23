// The state store as one object: grants, the session index and the API's logins behind their interfaces (open_store.hpp
// opens one). Limits: one Store per thread (a connection is not shared).
#pragma once

#include "proxy/store/grant_store.hpp"
#include "proxy/store/login_store.hpp"
#include "proxy/store/session_index.hpp"

namespace jitgate::proxy {

class Store : public GrantStore, public SessionIndex, public LoginStore {
public:
    ~Store() override = default;
};

}  // namespace jitgate::proxy
