// Fuzzes jitgate's login to a target (UpstreamLogin) with server bytes cut into pieces (the first byte
// picks the piece size): it must never overrun its input, and a failure never names the password.
#include "protocols/postgres/startup.hpp"
#include "protocols/postgres/upstream_login.hpp"

#include <cstdint>
#include <string>

using namespace jitgate::postgres;

namespace {
constexpr std::string_view password = "fuzz-upstream-password";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t piece = data[0] + 1;
    const Bytes input(data + 1, size - 1);
    UpstreamLogin login("app", std::string(password), "orders", forced_upstream_parameters());
    if (login.start().empty()) __builtin_trap();
    std::string pending;
    for (std::size_t pos = 0; pos < input.size(); pos += piece) {
        const Bytes chunk = input.subspan(pos, std::min(piece, input.size() - pos));
        pending.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        while (true) {
            const Bytes view(reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size());
            const UpstreamLoginStep step = login.on_server_bytes(view);
            if (step.consumed > pending.size()) __builtin_trap();
            pending.erase(0, step.consumed);
            if (step.status == UpstreamLoginStep::Status::need_more) break;
            if (step.status == UpstreamLoginStep::Status::send) {
                if (step.to_server.empty()) __builtin_trap();
                continue;
            }
            if (step.status == UpstreamLoginStep::Status::failed) {
                if (step.error.empty() || step.error.find(password) != std::string::npos) __builtin_trap();
            } else if (step.ready.empty() || step.ready[0] != 'Z') {
                __builtin_trap();
            }
            return 0;
        }
    }
    return 0;
}
