// Config reload (SIGHUP, DESIGN §3): read and validate the file again, swap the config in force whole, or
// keep the running one on any error; both outcomes are logged and audited.
#pragma once

#include "proxy/control/live_config.hpp"

#include <memory>

namespace jitgate::proxy {

class AuditLog;

// Reloads the file the config in force came from. Returns the new config once it is in force, or null
// when the file was refused (the old config stays). `audit` may be null.
[[nodiscard]] std::shared_ptr<const config::Config> reload_config(LiveConfig& live, AuditLog* audit);

}  // namespace jitgate::proxy
