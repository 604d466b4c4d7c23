// The relay test harness: a Relay fed from both sides as the session feeds it, keeping what it has not consumed.
#pragma once

#include "tests/unit/postgres/pg_frames.hpp"
#include "guardrails/sql/sql_cache.hpp"
#include "protocols/postgres/relay.hpp"
#include "tests/support/test_pipelines.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace jitgate::test::relay_harness {

using namespace jitgate::postgres;
namespace t = jitgate::test;


struct Harness {
    Harness() : Harness(std::make_shared<guardrails::MarkerDenyPipeline>("FORBIDDEN")) {}
    explicit Harness(std::shared_ptr<const guardrails::Pipeline> pipeline, guardrails::DecisionObserver* observer = nullptr,
                     const RevokeCheck* revokes = nullptr)
        : relay{context(observer, revokes), std::move(pipeline)} {}
    static RelayContext context(guardrails::DecisionObserver* observer, const RevokeCheck* revokes) {
        RelayContext context{7, "alice", "orders-db", 1 << 16, observer};
        context.revokes = revokes;
        return context;
    }

    Relay relay;
    std::string client_pending;  // bytes the relay has not consumed yet
    std::string server_pending;
    StepResult last;

    static std::string flatten(const Output& out, const std::string& input) {
        std::string bytes;
        for (const auto& chunk : out.chunks())
            bytes += chunk.own ? out.bytes().substr(chunk.offset, chunk.size) : input.substr(chunk.offset, chunk.size);
        return bytes;
    }
    // Client -> relay; returns what goes upstream.
    std::string from_client(const std::string& bytes) {
        client_pending += bytes;
        Output out;
        last = relay.on_client_bytes(t::bytes_of(client_pending), out);
        std::string upstream = flatten(out, client_pending);
        client_pending.erase(0, last.consumed);
        return upstream;
    }
    // Server -> relay; returns what goes to the client.
    std::string from_server(const std::string& bytes) {
        server_pending += bytes;
        Output out;
        last = relay.on_server_bytes(t::bytes_of(server_pending), out);
        std::string client = flatten(out, server_pending);
        server_pending.erase(0, last.consumed);
        return client;
    }
};

inline std::string sqlstate_of(const std::string& error_message) {
    const auto frame = parse_frame(t::bytes_of(error_message), 1 << 20);
    REQUIRE(frame.status == ParseStatus::ok);
    REQUIRE(frame.frame.type == 'E');
    return std::string(decode_error(frame.frame.body)->code);
}

}  // namespace jitgate::test::relay_harness
