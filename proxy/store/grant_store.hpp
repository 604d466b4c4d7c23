// GrantStore: where requested grants live, what every implementation (SQLite now, PostgreSQL later)
// promises — conditional steps that two deciders cannot both win, unique ids, and a change counter the
// proxy polls. Expected failures (busy, I/O, a corrupt store) come back as values; nothing here throws.
// tests/contract/ states the promises as tests.
#pragma once

#include "guardrails/grants.hpp"
#include "proxy/store/store_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jitgate::proxy {

class GrantStore {
public:
    virtual ~GrantStore() = default;

    // Every stored grant, oldest request first.
    [[nodiscard]] virtual Result<std::vector<guardrails::Grant>> grants() = 0;
    // One grant by id; an unknown id is an error that names it ("no grant g-…").
    [[nodiscard]] virtual Result<guardrails::Grant> grant(std::string_view id) = 0;

    // Inserts the grant `make` builds for a fresh unused id ("g-7f3a9c"), in one write transaction.
    // A refusal from `make` is returned as the error and nothing is written.
    [[nodiscard]] virtual Result<guardrails::Grant> insert(
        const std::function<guardrails::GrantResult(std::string id)>& make) = 0;
    // Reads grant `id`, applies `step` (approve, deny, revoke …) and writes the result, atomically, so two
    // deciders cannot both act on the same pending grant. A refusal from `step` writes nothing.
    [[nodiscard]] virtual Result<guardrails::Grant> update(
        std::string_view id, const std::function<guardrails::GrantResult(const guardrails::Grant&)>& step) = 0;

    // The change feed: a counter moved by every committed grant write, from any process, and by nothing
    // else (session writes leave it alone). A running proxy compares it with the value it last saw to know
    // when to reload its in-memory view of grants.
    [[nodiscard]] virtual Result<std::uint64_t> change_counter() = 0;

    // How long a call waits for another writer's lock before it fails as busy.
    virtual void set_busy_timeout(std::chrono::milliseconds timeout) = 0;

protected:
    GrantStore() = default;
    GrantStore(const GrantStore&) = default;
    GrantStore& operator=(const GrantStore&) = default;
};

}  // namespace jitgate::proxy
