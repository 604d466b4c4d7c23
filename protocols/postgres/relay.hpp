// The relay between an authenticated client and its upstream server ("Message Flow": simple query,
// extended query, pipelining, COPY, function call, asynchronous operations). It turns every Query,
// Parse and FunctionCall into a guardrail Command, substitutes a failing message for a blocked one and
// rewrites the server's error for it into jitgate's policy error, so the client's idea of the
// transaction state always matches the server's; a transaction that relied on a grant revoked since
// does not commit (a revoke is an emergency stop). It keeps a queue of the replies the server owes and
// closes the session the moment a reply does not fit (lost sync fails closed). Pure: bytes in, byte
// ranges out; the proxy owns the sockets.
#pragma once

#include "guardrails/pipeline.hpp"
#include "protocols/postgres/frame.hpp"
#include "protocols/postgres/trace.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jitgate::postgres {

// What to write next: ranges of the input just processed and of bytes the relay made itself, in order.
class Output {
public:
    struct Chunk {
        bool own = false;        // true: a range of bytes(); false: a range of the input span
        std::size_t offset = 0;
        std::size_t size = 0;
    };
    void forward(std::size_t offset, std::size_t size);
    void emit(std::string_view bytes);
    void clear() noexcept { chunks_.clear(); own_.clear(); }
    [[nodiscard]] bool empty() const noexcept { return chunks_.empty(); }
    [[nodiscard]] const std::vector<Chunk>& chunks() const noexcept { return chunks_; }
    [[nodiscard]] const std::string& bytes() const noexcept { return own_; }
    [[nodiscard]] std::string& scratch() noexcept { return own_; }
    void emitted(std::size_t offset);  // records own_[offset..] appended through scratch()

private:
    std::vector<Chunk> chunks_;
    std::string own_;
};

struct StepResult {
    std::size_t consumed = 0;  // input bytes handled; the rest is a partial message to keep
    bool close = false;        // end the session once the output is written
    std::string client_reply;  // client side only: an ErrorResponse for the client before closing
    std::string log;           // why the session is closing, for the log (never secrets)
    // Server side only: the server answered a blocked entry's substitute as if it ran. The session
    // audits that as a security event before closing.
    bool blocked_ran = false;
};

// Whether a grant that a statement of the open transaction relied on has been revoked since (the session
// asks its live policy). A revoke is an emergency stop: such a transaction must not commit.
class RevokeCheck {
public:
    virtual ~RevokeCheck() = default;
    [[nodiscard]] virtual bool revoked(std::string_view grant, const std::optional<config::TimePoint>& until) const = 0;
};

// The rule of the block of a commit whose transaction relied on a grant revoked since.
inline constexpr std::string_view grant_revoked_rule = "builtin:grant-revoked";

struct RelayContext {
    std::uint64_t session_id = 0;
    std::string user;
    std::string target;
    std::size_t max_message_bytes = 16u << 20;
    guardrails::DecisionObserver* observer = nullptr;  // told of every decision; outlives the relay
    StatementSink* statements = nullptr;  // the session recording: told of every finished statement
    std::size_t record_rows = 0;          // result rows a trace keeps
    bool record_params = true;            // whether traces keep Bind parameters
    const RevokeCheck* revokes = nullptr;  // null: no grant is ever revoked (test pipelines)
};

class Relay {
public:
    Relay(RelayContext context, std::shared_ptr<const guardrails::Pipeline> pipeline);

    // Client -> server: decides each complete message and fills `upstream`.
    [[nodiscard]] StepResult on_client_bytes(Bytes input, Output& upstream);
    // Server -> client: matches each reply to the queue and fills `client`.
    [[nodiscard]] StepResult on_server_bytes(Bytes input, Output& client);

    // True while the server owes replies: a statement is in flight (cancel is only relayed then).
    [[nodiscard]] bool busy() const noexcept { return !pending_.empty(); }
    void set_pipeline(std::shared_ptr<const guardrails::Pipeline> pipeline) { pipeline_ = std::move(pipeline); }

    std::uint64_t statements = 0;  // Query/Parse/FunctionCall commands seen
    std::uint64_t blocked = 0;

private:
    // copy_end marks where the client's CopyDone/CopyFail sits in the queue (it owes no reply): the
    // server ignores every Sync and Flush it reads in COPY IN mode, which ends there.
    enum class Expect : std::uint8_t { query, parse, bind, describe, execute, close, sync, function_call, copy_end };
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    // Prepared statements by name, as the server will hold them once every message in flight succeeds.
    struct Prepared {
        std::shared_ptr<const guardrails::Classification> classification;
        bool confirmed = false;  // ParseComplete seen
        std::shared_ptr<const std::string> sql;  // kept only while a StatementSink is attached
    };
    // Portals by name, likewise: a Bind is provisional until its BindComplete.
    struct Bound {
        std::shared_ptr<const guardrails::Classification> classification;  // null: unknown
        std::shared_ptr<const std::string> sql;  // with a StatementSink only
        Row params;                              // with a StatementSink and record_params only
        std::uint64_t generation = 0;            // which Bind entered it
    };
    struct Pending {
        Expect kind;
        bool blocked;
        // Parse: the class and name of the statement this Parse entered provisionally in statements_
        // (null when it entered nothing); confirmed by ParseComplete, taken back when the Parse fails.
        std::shared_ptr<const guardrails::Classification> classification;
        std::string name;  // Parse: the statement; Bind: the portal
        bool traced = false;  // has a StatementTrace in traces_ (in the same order)
        // Bind: the generation it entered in portals_ and the entry it replaced, put back (as unknown)
        // when the Bind fails.
        std::uint64_t generation = 0;
        std::optional<Bound> previous;
    };
    template <class V>
    using ByName = std::unordered_map<std::string, V, NameHash, std::equal_to<>>;

    [[nodiscard]] bool push(Expect kind, bool is_blocked);
    void pop_front();
    void parse_done(const Pending& entry, bool ok);  // ParseComplete (ok) or a Parse that never took effect
    void bind_failed(Pending& entry);                // a Bind that got no BindComplete
    void copy_in_started();                          // CopyInResponse for the front entry
    void drop_until_sync();
    [[nodiscard]] bool on_reply(char type);
    [[nodiscard]] bool handle_server_message(const Frame& frame, std::size_t offset, Output& client, StepResult& step);
    // Forwards the message at [offset, offset+size) or, when the decision blocks, a substitute that the
    // server is certain to reject; queues the reply the server owes. False when the queue is full.
    template <typename Substitute>
    [[nodiscard]] bool enforce(guardrails::Decision decision, Expect kind, bool skipped, std::size_t offset,
                               std::size_t size, Output& upstream, Substitute write_substitute);
    [[nodiscard]] guardrails::Decision decide(guardrails::CommandKind kind, std::string_view text,
                                              std::string_view statement,
                                              const guardrails::Classification* classification = nullptr);
    void note_sql_effects(const guardrails::Classification* classification) noexcept;
    // A statement that may commit, decided allowed: blocked when a grant of the transaction was revoked.
    void refuse_commit_after_revoke(guardrails::Decision& decision, const guardrails::Classification* classification) const;
    void note_transaction_grant(const guardrails::Decision& decision);
    // An extended-protocol batch outside BEGIN commits at its Sync: when a statement sent since the last
    // Sync relied on a grant revoked since, a failing substitute goes before the Sync (blocked, audited),
    // so the server rolls the batch back (inside BEGIN it fails the transaction, as its COMMIT would be).
    // False when the queue is full.
    [[nodiscard]] bool refuse_sync_after_revoke(Output& upstream);
    // A trace for the statement about to be sent, when a StatementSink is attached.
    [[nodiscard]] std::optional<StatementTrace> begin_trace(const guardrails::Decision& decision,
                                                            guardrails::CommandKind kind, std::string_view sql) const;
    // Files the trace with the entry pushed last (enforce() pushed it unless the message was skipped).
    void keep_trace(std::optional<StatementTrace>& trace, bool pushed);
    void capture(char type, Bytes body);  // a reply to the traced front entry
    // What Bind gives a portal: the statement's class, or null (unknown) when jitgate cannot vouch for it.
    [[nodiscard]] std::shared_ptr<const guardrails::Classification> bound_class(std::string_view statement) const;
    void write_policy_error(Output& client);

    RelayContext context_;
    std::shared_ptr<const guardrails::Pipeline> pipeline_;
    std::deque<Pending> pending_;
    std::deque<guardrails::Decision> blocked_decisions_;  // one per blocked entry in pending_, in order
    // Names the server may hold that jitgate did not see made are unknown: a statement that SQL PREPARE
    // made, a cursor DECLARE made. A Parse whose name is taken fails on the server, so it never replaces
    // an entry; while a provisional named entry awaits ParseComplete after SQL PREPARE ran in this session,
    // it binds as unknown (the name may be SQL PREPARE's). A Bind replaces its portal's entry
    // provisionally; when it fails, the old entry comes back as unknown (the server may have dropped the
    // old portal or kept it). Text that may drop or make portals (DECLARE, CLOSE, COMMIT, ROLLBACK [TO
    // SAVEPOINT]) forgets them all, DEALLOCATE/DISCARD both maps, so a name the server reuses for
    // something jitgate did not see bound executes as unknown.
    ByName<Prepared> statements_;
    ByName<Bound> portals_;
    std::uint64_t next_generation_ = 0;
    bool copy_in_ = false;  // the server is in COPY IN mode: it ignores Sync and Flush until CopyDone/CopyFail
    std::deque<StatementTrace> traces_;  // one per traced entry of pending_, in order
    bool sql_prepare_seen_ = false;
    bool server_skipping_ = false;  // the server ignores everything until the client's next Sync
    bool blocked_ran_ = false;      // a blocked entry got a reply other than its error
    // The grants allowed statements relied on, kept until the server reports no transaction open after
    // them: `epoch` counts the ReadyForQuery-producing messages (Query, Sync, FunctionCall) sent before
    // the statement, so the n-th ReadyForQuery with status 'I' ends the grants of epochs below n.
    struct TransactionGrant {
        std::string id;
        std::optional<config::TimePoint> until;
        std::uint64_t epoch = 0;
    };
    std::vector<TransactionGrant> transaction_grants_;
    std::uint64_t ready_sent_ = 0;
    std::uint64_t ready_seen_ = 0;
    std::size_t client_stream_remaining_ = 0;  // bytes of a CopyData still to pass through
    std::size_t server_stream_remaining_ = 0;  // bytes of a passed-through server message still to come
};

}  // namespace jitgate::postgres
