// Fuzzes the start-up negotiation (Negotiation) with client bytes cut into pieces: the first byte picks
// whether TLS is configured and required and the piece size; the actions must stay consistent.
#include "protocols/postgres/negotiation.hpp"

#include <cstdint>
#include <string>

using namespace jitgate::postgres;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const bool tls_available = (data[0] & 1) != 0;
    const bool tls_required = (data[0] & 2) != 0;
    const std::size_t piece = (data[0] >> 2) + 1;
    const Bytes input(data + 1, size - 1);
    Negotiation negotiation(tls_available, tls_required);
    std::string pending;
    bool tls = false;
    for (std::size_t pos = 0; pos < input.size(); pos += piece) {
        const Bytes chunk = input.subspan(pos, std::min(piece, input.size() - pos));
        pending.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        while (true) {
            const Bytes view(reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size());
            const NegotiationStep step = negotiation.on_client_bytes(view);
            if (step.consumed > pending.size()) __builtin_trap();
            pending.erase(0, step.consumed);
            switch (step.action) {
            case NegotiationStep::Action::need_more:
                if (step.consumed != 0) __builtin_trap();
                break;
            case NegotiationStep::Action::answer:
                if (step.answer != (step.start_tls ? 'S' : 'N')) __builtin_trap();
                if (step.start_tls && (!tls_available || tls)) __builtin_trap();  // TLS starts at most once
                tls = tls || step.start_tls;
                continue;
            case NegotiationStep::Action::startup:
                if (!step.request || step.request->user.empty() || step.request->database.empty()) __builtin_trap();
                if (tls_required && !tls) __builtin_trap();  // tls.require lets no plain session through
                return 0;
            case NegotiationStep::Action::cancel:
                return 0;
            case NegotiationStep::Action::invalid:
                if (step.sqlstate.empty() != step.message.empty()) __builtin_trap();
                return 0;
            }
            break;
        }
    }
    return 0;
}
