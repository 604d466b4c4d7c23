// What every session needs from the server (the config in force, the pipeline, the audit log, the keeper,
// the recording writer, TLS, the SCRAM secret): one shared object, never copied per message.
#pragma once

#include "guardrails/pipeline.hpp"
#include "guardrails/policy.hpp"
#include "proxy/control/live_config.hpp"
#include "proxy/recording/recording_writer.hpp"

#include <boost/asio/ssl/context.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace jitgate::proxy {

namespace asio = boost::asio;
class PolicyKeeper;
class AuditLog;

// What every session needs from the server; shared, never copied per message.
struct ServerContext {
    LiveConfig config;  // swapped whole on reload
    std::shared_ptr<const guardrails::Pipeline> pipeline;
    // Set when the pipeline is the guardrail pipeline: the server runs a PolicyKeeper for it.
    std::shared_ptr<guardrails::GuardrailPipeline> guardrails;
    std::shared_ptr<AuditLog> audit;  // the hash-chained audit log (DESIGN §5); null only in unit tests
    PolicyKeeper* keeper = nullptr;   // the session index goes through it; null with the test pipelines
    bool record = true;               // `record: false` in the config (DESIGN §3)
    // Writes the session recordings off the I/O threads; null: each session writes its own records.
    std::unique_ptr<RecordingWriter> recording_writer;
    std::optional<asio::ssl::context> tls;
    std::array<std::uint8_t, 32> scram_secret{};
};

}  // namespace jitgate::proxy
