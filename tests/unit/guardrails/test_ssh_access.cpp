// The SSH access union as a table: which holdings (standing roles, grants in force or not) give a user
// the session, a terminal, file transfer and port forwarding, and which grant each one rests on.
#include "guardrails/ssh_access.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::guardrails;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const config::Config> roles_config() {
    static const std::shared_ptr<const config::Config> config = [] {
        const config::LoadResult loaded = config::load_text(R"(
listen: { postgres: 127.0.0.1:6432 }
targets: [{ name: box, kind: postgres, address: 127.0.0.1:5432, database: d, user: u, password_env: UNUSED }]
users: [{ name: alice }]
roles:
  exec: { allow: [read] }
  shell: { allow: [read], ssh: { pty: true } }
  files: { allow: [read], ssh: { sftp: true } }
  tunnel: { allow: [read], ssh: { port_forwarding: true } }
  all: { allow: [read], ssh: { pty: true, sftp: true, port_forwarding: true } }
access: [{ users: [alice], targets: [box], standing: exec }]
)", "ssh_access.yaml", {}, config::Secrets::skip);
        std::string errors;
        for (const config::Diagnostic& d : loaded.errors) errors += d.to_string() + "\n";
        INFO(errors);
        REQUIRE(loaded.config);
        return loaded.config;
    }();
    return config;
}

const TimePoint now = TimePoint{} + 1000h;

Holding standing(std::string role) { return {std::move(role), {}, std::nullopt, std::nullopt}; }
Holding grant(std::string role, std::string id, std::optional<TimePoint> until, std::optional<TimePoint> from = now - 1h) {
    return {std::move(role), std::move(id), from, until};
}

// What gives a need, as text: "-" nothing, "standing", or the grant's id.
std::string given(const SshAccess& access, SshNeed need) {
    const auto& giver = access.giver(need);
    if (!giver) return "-";
    return giver->grant.empty() ? "standing" : giver->grant;
}

struct Row {
    std::string name;
    std::vector<Holding> held;
    bool allowed;
    bool pty, sftp, port_forwarding;
    std::string session_by, pty_by, sftp_by, port_forwarding_by;
};

}  // namespace

TEST_CASE("the ssh switches are the union of the roles held in force, each resting on what gives it",
          "[guardrails][ssh_access]") {
    const std::vector<Row> rows = {
        {"nothing held gives nothing", {}, false, false, false, false, "-", "-", "-", "-"},
        {"a standing exec role: on the target, no switch", {standing("exec")}, true, false, false, false,
         "standing", "-", "-", "-"},
        {"a standing role with every switch", {standing("all")}, true, true, true, true,
         "standing", "standing", "standing", "standing"},
        {"a grant adds its switch, resting on the grant", {standing("exec"), grant("shell", "g1", now + 1h)}, true,
         true, false, false, "standing", "g1", "-", "-"},
        {"switches of several grants add up", {grant("shell", "g1", now + 1h), grant("files", "g2", now + 2h)}, true,
         true, true, false, "g2", "g1", "g2", "-"},
        {"the grant that lasts longest gives it", {grant("all", "short", now + 1h), grant("all", "long", now + 3h)},
         true, true, true, true, "long", "long", "long", "long"},
        {"of equal grants the first gives it", {grant("tunnel", "first", now + 1h), grant("tunnel", "second", now + 1h)},
         true, false, false, true, "first", "-", "-", "first"},
        {"a grant without an end beats one with", {grant("shell", "ends", now + 5h), grant("shell", "open", std::nullopt)},
         true, true, false, false, "open", "open", "-", "-"},
        {"a standing role wins over a grant listed before it", {grant("all", "g1", now + 1h), standing("all")}, true,
         true, true, true, "standing", "standing", "standing", "standing"},
        {"an expired grant gives nothing", {grant("all", "old", now - 1s)}, false, false, false, false, "-", "-", "-", "-"},
        {"a grant that starts later gives nothing yet", {grant("all", "later", now + 2h, now + 1h)}, false, false, false,
         false, "-", "-", "-", "-"},
        {"a role the config does not know gives nothing", {standing("gone"), grant("gone", "g9", now + 1h)}, false,
         false, false, false, "-", "-", "-", "-"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        const SshAccess access = ssh_access(*roles_config(), row.held, now);
        CHECK(access.allowed == row.allowed);
        CHECK(access.switches.pty == row.pty);
        CHECK(access.switches.sftp == row.sftp);
        CHECK(access.switches.port_forwarding == row.port_forwarding);
        CHECK(access.gives(SshNeed::pty) == row.pty);
        CHECK(given(access, SshNeed::session) == row.session_by);
        CHECK(given(access, SshNeed::pty) == row.pty_by);
        CHECK(given(access, SshNeed::sftp) == row.sftp_by);
        CHECK(given(access, SshNeed::port_forwarding) == row.port_forwarding_by);
    }
}

TEST_CASE("a grant's end comes with what it gives", "[guardrails][ssh_access]") {
    const SshAccess access = ssh_access(*roles_config(), {grant("tunnel", "g1", now + 90min)}, now);
    REQUIRE(access.giver(SshNeed::port_forwarding));
    CHECK(access.giver(SshNeed::port_forwarding)->until == now + 90min);
}
