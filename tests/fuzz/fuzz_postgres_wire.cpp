// Fuzzes the PostgreSQL wire parsers: start-up packets, and the relay in both directions with the input
// cut into random pieces (the first byte picks the mode and the piece size).
#include "config/config.hpp"
#include "guardrails/policy.hpp"
#include "guardrails/sql/sql_cache.hpp"
#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/relay.hpp"
#include "protocols/postgres/startup.hpp"
#include "tests/support/test_pipelines.hpp"

#include <cstdint>
#include <string>

using namespace jitgate::postgres;

namespace {

void feed(Relay& relay, Bytes input, std::size_t piece, bool from_client) {
    std::string pending;
    for (std::size_t pos = 0; pos < input.size(); pos += piece) {
        const Bytes chunk = input.subspan(pos, std::min(piece, input.size() - pos));
        pending.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        Output out;
        const Bytes view(reinterpret_cast<const std::uint8_t*>(pending.data()), pending.size());
        const StepResult step = from_client ? relay.on_client_bytes(view, out) : relay.on_server_bytes(view, out);
        for (const auto& c : out.chunks()) {
            if (c.own) { if (c.offset + c.size > out.bytes().size()) __builtin_trap(); }
            else if (c.offset + c.size > pending.size()) __builtin_trap();
        }
        if (step.consumed > pending.size()) __builtin_trap();
        pending.erase(0, step.consumed);
        if (step.close) return;
    }
}

// The real guardrail pipeline (a reader who may also write; one table rule), so the relay's statement and
// portal records and the Execute re-check run on fuzzed input too.
std::shared_ptr<const jitgate::guardrails::Pipeline> guardrails() {
    static const std::shared_ptr<const jitgate::guardrails::Pipeline> pipeline = [] {
        namespace g = jitgate::guardrails;
        const auto loaded = jitgate::config::load_text(R"(
listen: { postgres: 127.0.0.1:6432 }
targets: [{ name: t, kind: postgres, address: 127.0.0.1:5432, database: d, user: u, password_env: UNUSED }]
users: [{ name: u }]
roles: { rw: { allow: [read, write] } }
access: [{ users: [u], targets: [t], standing: rw }]
guardrails: [{ id: no-x, deny: { tables: [x], effects: [read, write, unknown] } }]
)", "fuzz.yaml", {}, jitgate::config::Secrets::skip);
        if (!loaded.config) __builtin_trap();
        auto cache = std::make_shared<g::ClassCache>(std::make_shared<const g::SqlClassifier>());
        auto policy = g::Policy::build(loaded.config, {}, [cache](std::string_view sql) { return cache->classify(sql); },
                                       std::chrono::system_clock::now());
        return std::make_shared<g::GuardrailPipeline>(std::move(policy));
    }();
    return pipeline;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    const Bytes input(data + 1, size - 1);
    const std::size_t piece = 1 + (mode >> 2);
    switch (mode & 3) {
    case 0: {
        const auto frame = parse_startup_frame(input);
        if (frame.status == ParseStatus::ok) (void)decode_startup(frame.frame.payload);
        break;
    }
    case 1: case 2: {
        Relay relay(RelayContext{1, "u", "t", 4096}, std::make_shared<jitgate::guardrails::MarkerDenyPipeline>("X"));
        feed(relay, input, piece, (mode & 3) == 1);
        break;
    }
    default: {
        // Client then server traffic through one relay, split at the middle, with the real guardrails.
        Relay relay(RelayContext{1, "u", "t", 4096}, guardrails());
        feed(relay, input.first(input.size() / 2), piece, true);
        feed(relay, input.subspan(input.size() / 2), piece, false);
        break;
    }
    }
    return 0;
}
