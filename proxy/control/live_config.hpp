// The config in force while serve runs: swapped whole on reload, read by every new session and decision.
#pragma once

#include "config/config.hpp"

#include <atomic>
#include <memory>

namespace jitgate::proxy {

class LiveConfig {
public:
    [[nodiscard]] std::shared_ptr<const config::Config> load() const noexcept { return current_.load(); }
    void store(std::shared_ptr<const config::Config> next) noexcept { current_.store(std::move(next)); }

private:
    std::atomic<std::shared_ptr<const config::Config>> current_;
};

}  // namespace jitgate::proxy
