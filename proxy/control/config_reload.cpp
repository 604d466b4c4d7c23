// Config reload: validate, swap or refuse, log and audit (see config_reload.hpp).
#include "proxy/control/config_reload.hpp"

#include "proxy/audit/audit_log.hpp"

#include <spdlog/spdlog.h>

namespace jitgate::proxy {

std::shared_ptr<const config::Config> reload_config(LiveConfig& live, AuditLog* audit) {
    const std::shared_ptr<const config::Config> old = live.load();
    const config::LoadResult loaded = config::load_file(old->path);
    if (!loaded.config) {
        std::string errors;
        for (const config::Diagnostic& d : loaded.errors) {
            spdlog::error("reload: {}", d.to_string());
            errors += (errors.empty() ? "" : "\n") + d.to_string();
        }
        if (audit != nullptr) audit->config_reload({old->hash, ReloadResult::refused, old->path.string(), errors});
        spdlog::error("reload refused: {} has {} error(s); the running config (hash {}) stays", old->path.string(),
                      loaded.errors.size(), old->hash.substr(0, 12));
        return nullptr;
    }
    if (loaded.config->listen_postgres != old->listen_postgres || loaded.config->listen_ssh != old->listen_ssh ||
        loaded.config->ssh_host_key != old->ssh_host_key || loaded.config->limits.workers != old->limits.workers)
        spdlog::warn("reload: listen, ssh_host_key and limits.workers take effect at the next start");
    live.store(loaded.config);
    if (audit != nullptr) audit->config_reload({loaded.config->hash, ReloadResult::ok, loaded.config->path.string(), {}});
    spdlog::info("config {} reloaded (hash {})", loaded.config->path.string(), loaded.config->hash.substr(0, 12));
    return loaded.config;
}

}  // namespace jitgate::proxy
