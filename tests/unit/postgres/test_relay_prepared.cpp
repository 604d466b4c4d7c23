// The relay's prepared-statement tracking that lets Execute be decided again with its Parse's class,
// COPY IN bookkeeping and grants revoked inside a transaction.
#include "tests/unit/postgres/relay_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace jitgate;
using namespace jitgate::postgres;
namespace t = jitgate::test;
using namespace jitgate::test::relay_harness;

// Prepared-statement tracking: the class a Parse gave a statement follows it through Bind into the
// portal, and Execute is decided again with it ("Extended Query").
namespace {

using guardrails::CommandKind;
using config::RiskClass;

// Decides the way the proxy's pipeline does in the one respect these tests need: Query and Parse text is
// classified by the real classifier, an Execute brings its portal's class, and anything above a threshold
// the test moves between steps is blocked (a grant that ends between Parse and Execute). A command with
// no class is unknown, the highest class, so it is blocked unless the threshold is unknown itself.
class ThresholdPipeline final : public guardrails::Pipeline {
public:
    struct Seen {
        CommandKind kind;
        std::string name;  // Parse: the statement's; Execute: the portal's
        RiskClass risk;
        bool classified;   // a class came with the command or from its text
    };

    explicit ThresholdPipeline(RiskClass threshold) : threshold_(threshold) {}

    [[nodiscard]] guardrails::Decision evaluate(const guardrails::Command& command) const override {
        static guardrails::ClassCache cache(std::make_shared<const guardrails::SqlClassifier>());
        guardrails::Decision decision;
        const guardrails::Classification* cls = command.classification;
        if (command.kind == CommandKind::query || command.kind == CommandKind::parse) {
            decision.classification = cache.classify(command.text);
            cls = decision.classification.get();
        }
        decision.risk = cls != nullptr ? cls->risk : RiskClass::unknown;
        seen_.push_back({command.kind, std::string(command.statement_name), decision.risk, cls != nullptr});
        if (guardrails::rank(decision.risk) > guardrails::rank(threshold_)) {
            decision.verdict = guardrails::Verdict::block;
            decision.rule = "test:above-threshold";
            decision.reason = "above the test's threshold";
        } else if (decision.risk != RiskClass::read) {
            decision.grant = grant_;  // anything above read relies on the grant
        }
        return decision;
    }

    void allow_up_to(RiskClass threshold) noexcept { threshold_ = threshold; }
    void grant_is(std::string id) { grant_ = std::move(id); }
    [[nodiscard]] const std::vector<Seen>& seen() const noexcept { return seen_; }
    [[nodiscard]] const Seen& last_execute() const {
        for (auto it = seen_.rbegin(); it != seen_.rend(); ++it)
            if (it->kind == CommandKind::execute) return *it;
        FAIL("no Execute was decided");
        return seen_.back();
    }

private:
    RiskClass threshold_;
    std::string grant_;
    mutable std::vector<Seen> seen_;
};

// Says which grants were revoked (the live policy, in the proxy).
class Revokes final : public RevokeCheck {
public:
    [[nodiscard]] bool revoked(std::string_view grant, const std::optional<config::TimePoint>&) const override {
        return std::find(ids.begin(), ids.end(), grant) != ids.end();
    }
    std::vector<std::string> ids;
};

// Says it recorded every decision or, when `working` is false, that it could record none.
class Recorder final : public guardrails::DecisionObserver {
public:
    explicit Recorder(bool working) : working_(working) {}
    [[nodiscard]] bool on_decision(const guardrails::Command&, const guardrails::Decision& decision) override {
        rules.push_back(decision.rule);
        return working_;
    }
    std::vector<std::string> rules;

private:
    bool working_;
};

struct Prepared {
    std::shared_ptr<ThresholdPipeline> pipeline;
    Harness h;
    explicit Prepared(RiskClass threshold, guardrails::DecisionObserver* observer = nullptr,
                      const RevokeCheck* revokes = nullptr)
        : pipeline(std::make_shared<ThresholdPipeline>(threshold)), h(pipeline, observer, revokes) {}
};

const std::string blocked_execute = t::parse("\x01jitgate blocked this statement", "JITGATE BLOCKED THIS STATEMENT");

// The client's bytes as a list of (type, SQLSTATE when an error) for comparing flows.
std::vector<std::string> flow_of(const std::string& bytes) {
    std::vector<std::string> flow;
    const Bytes all = t::bytes_of(bytes);
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const auto frame = parse_frame(all.subspan(pos), 1 << 20);
        REQUIRE(frame.status == ParseStatus::ok);
        std::string entry(1, frame.frame.type);
        if (frame.frame.type == 'E') entry += " " + std::string(decode_error(frame.frame.body)->code);
        flow.push_back(entry);
        pos += frame.frame.size();
    }
    return flow;
}

using Flow = std::vector<std::string>;

}  // namespace

TEST_CASE("Parse, Bind, Execute and Sync in one pipeline: Execute is decided with the Parse's class at once",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::write);
    const std::string requests =
        t::parse("upd", "DELETE FROM orders WHERE id = $1") + t::bind("", "upd") + t::execute("") + t::sync();
    CHECK(p.h.from_client(requests) == requests);  // no reply has come yet
    const auto& seen = p.pipeline->seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].kind == CommandKind::parse);
    CHECK(seen[0].name == "upd");
    CHECK(seen[0].risk == RiskClass::write);
    CHECK(seen[1].kind == CommandKind::execute);
    CHECK(seen[1].risk == RiskClass::write);
    CHECK(seen[1].classified);
    const std::string replies = t::parse_complete() + t::bind_complete() + t::command_complete("DELETE 1") + t::ready('I');
    CHECK(p.h.from_server(replies) == replies);
    CHECK_FALSE(p.h.relay.busy());
    CHECK(p.h.relay.blocked == 0);
}

TEST_CASE("a grant that ends after Parse blocks the next Execute of that statement with 42501",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::write);
    const std::string first =
        t::parse("upd", "DELETE FROM orders WHERE id = $1") + t::bind("", "upd") + t::execute("") + t::sync();
    CHECK(p.h.from_client(first) == first);
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::command_complete("DELETE 1") + t::ready('I'));

    p.pipeline->allow_up_to(RiskClass::read);  // the writer grant ends
    // The statement is bound again and executed; a Describe after the Execute is skipped by the server.
    const std::string upstream = p.h.from_client(t::bind("", "upd") + t::execute("") + t::describe_portal("") + t::sync());
    CHECK(upstream == t::bind("", "upd") + blocked_execute + t::describe_portal("") + t::sync());
    CHECK(p.h.relay.blocked == 1);
    CHECK(p.pipeline->last_execute().risk == RiskClass::write);

    // The server binds, fails the Execute of a portal that does not exist, skips to Sync: the client sees
    // what PostgreSQL itself would send for a refused statement.
    const std::string client = p.h.from_server(t::bind_complete() + t::error("34000") + t::ready('I'));
    CHECK(flow_of(client) == Flow{"2", "E 42501", "Z"});
    CHECK_THAT(client, Catch::Contains("decided by: test:above-threshold"));
    CHECK_FALSE(p.h.relay.busy());
    CHECK_FALSE(p.h.last.close);

    // The statement is still known: once allowed again, it runs.
    p.pipeline->allow_up_to(RiskClass::write);
    const std::string again = t::bind("", "upd") + t::execute("") + t::sync();
    CHECK(p.h.from_client(again) == again);
    const std::string replies = t::bind_complete() + t::command_complete("DELETE 1") + t::ready('I');
    CHECK(p.h.from_server(replies) == replies);
    CHECK_FALSE(p.h.relay.busy());
}

TEST_CASE("a named Parse of a name already taken keeps the class of the statement the server holds",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::write);
    (void)p.h.from_client(t::parse("s", "DELETE FROM orders WHERE id = $1") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::ready('I'));
    // The server refuses this Parse (42P05): "s" is still the DELETE.
    const std::string reparse = t::parse("s", "SELECT 1") + t::sync();
    CHECK(p.h.from_client(reparse) == reparse);
    CHECK(flow_of(p.h.from_server(t::error("42P05") + t::ready('I'))) == Flow{"E 42P05", "Z"});

    p.pipeline->allow_up_to(RiskClass::read);
    CHECK(p.h.from_client(t::bind("", "s") + t::execute("") + t::sync()) ==
          t::bind("", "s") + blocked_execute + t::sync());
    CHECK(p.pipeline->last_execute().risk == RiskClass::write);
    CHECK(flow_of(p.h.from_server(t::bind_complete() + t::error("34000") + t::ready('I'))) == Flow{"2", "E 42501", "Z"});
}

TEST_CASE("a Parse that fails takes back the class it entered", "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    (void)p.h.from_client(t::parse("s", "SELECT nosuchcolumn FROM orders") + t::sync());
    (void)p.h.from_server(t::error("42703") + t::ready('I'));
    CHECK(p.h.from_client(t::bind("", "s") + t::execute("") + t::sync()) ==
          t::bind("", "s") + blocked_execute + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
    CHECK(p.pipeline->last_execute().risk == RiskClass::unknown);
}

TEST_CASE("an Execute of a portal jitgate never saw bound is unknown and blocked", "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    CHECK(p.h.from_client(t::execute("nosuchportal") + t::sync()) == blocked_execute + t::sync());
    CHECK(p.pipeline->last_execute().name == "nosuchportal");
    CHECK_FALSE(p.pipeline->last_execute().classified);
    CHECK(flow_of(p.h.from_server(t::error("34000") + t::ready('I'))) == Flow{"E 42501", "Z"});
    CHECK_FALSE(p.h.relay.busy());
}

TEST_CASE("Close forgets a statement's or a portal's class at once", "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    (void)p.h.from_client(t::parse("s", "SELECT 1") + t::bind("p", "s") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::ready('T'));
    (void)p.h.from_client(t::close_portal("p") + t::execute("p") + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
    (void)p.h.from_server(t::close_complete() + t::error("34000") + t::ready('E'));
    (void)p.h.from_client(t::close_statement("s") + t::bind("", "s") + t::execute("") + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
    CHECK(flow_of(p.h.from_server(t::close_complete() + t::error("26000") + t::ready('I'))) ==
          Flow{"3", "E 26000", "Z"});
    CHECK_FALSE(p.h.relay.busy());
}

TEST_CASE("DEALLOCATE in a simple Query forgets every statement and portal", "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    (void)p.h.from_client(t::parse("s", "SELECT 1") + t::bind("p", "s") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::ready('T'));
    const std::string deallocate = t::query("DEALLOCATE s");
    CHECK(p.h.from_client(deallocate) == deallocate);
    (void)p.h.from_server(t::command_complete("DEALLOCATE") + t::ready('T'));

    // Neither the portal bound before nor a new Bind of the name vouches for anything now.
    CHECK(p.h.from_client(t::execute("p") + t::sync()) == blocked_execute + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
    (void)p.h.from_server(t::error("34000") + t::ready('E'));
    CHECK(p.h.from_client(t::bind("", "s") + t::execute("") + t::sync()) ==
          t::bind("", "s") + blocked_execute + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
}

TEST_CASE("after SQL PREPARE an unconfirmed named Parse binds as unknown", "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    const std::string prepare = t::query("PREPARE q AS DELETE FROM orders");
    CHECK(p.h.from_client(prepare) == prepare);
    (void)p.h.from_server(t::command_complete("PREPARE") + t::ready('I'));

    // "q" may be SQL PREPARE's statement: the Parse will fail, and the Execute would run the DELETE.
    const std::string named = t::parse("q", "SELECT 1") + t::bind("", "q") + t::execute("") + t::sync();
    CHECK(p.h.from_client(named) == t::parse("q", "SELECT 1") + t::bind("", "q") + blocked_execute + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
    CHECK(flow_of(p.h.from_server(t::error("42P05") + t::ready('I'))) == Flow{"E 42P05", "Z"});

    // Confirmed by ParseComplete, or unnamed (which a Parse always replaces), a statement keeps its class.
    const std::string confirmed = t::parse("r", "SELECT 1") + t::sync();
    (void)p.h.from_client(confirmed);
    (void)p.h.from_server(t::parse_complete() + t::ready('I'));
    const std::string run_r = t::bind("", "r") + t::execute("") + t::sync();
    CHECK(p.h.from_client(run_r) == run_r);
    CHECK(p.pipeline->last_execute().risk == RiskClass::read);
    (void)p.h.from_server(t::bind_complete() + t::command_complete("SELECT 1") + t::ready('I'));
    const std::string unnamed = t::parse("", "SELECT 1") + t::bind("", "") + t::execute("") + t::sync();
    CHECK(p.h.from_client(unnamed) == unnamed);
    CHECK(p.pipeline->last_execute().risk == RiskClass::read);
}

TEST_CASE("a decision the observer cannot record is blocked as an audit failure", "[postgres][relay][prepared]") {
    Recorder broken(false);
    Prepared p(RiskClass::unknown, &broken);
    CHECK(p.h.from_client(t::query("SELECT 1")) == t::query("JITGATE BLOCKED THIS STATEMENT"));
    CHECK(p.h.relay.blocked == 1);
    const std::string client = p.h.from_server(t::error("42601") + t::ready('I'));
    CHECK(flow_of(client) == Flow{"E 42501", "Z"});
    CHECK_THAT(client, Catch::Contains(std::string("decided by: ") + std::string(guardrails::audit_failure_rule)));
    CHECK_THAT(client, Catch::Contains("the audit log or the session recording cannot be written"));
    // An Execute is recorded like any other decision.
    (void)p.h.from_client(t::parse("", "SELECT 1") + t::bind("", "") + t::execute("") + t::sync());
    CHECK(p.h.relay.blocked == 3);

    // A working observer is told of every decision and changes none.
    Recorder working(true);
    Prepared q(RiskClass::read, &working);
    const std::string pipeline = t::parse("", "SELECT 1") + t::bind("", "") + t::execute("") + t::sync();
    CHECK(q.h.from_client(pipeline) == pipeline);
    CHECK(working.rules == std::vector<std::string>{"", ""});
    (void)q.h.from_client(t::query("DROP TABLE orders"));
    CHECK(working.rules.back() == "test:above-threshold");
}

// Issue 10 item 3: the substitute for a blocked Execute cannot run anything a client made.
TEST_CASE("a client message naming a reserved statement or portal closes the session with 08P01",
          "[postgres][relay]") {
    const std::string reserved = "\x01jitgate blocked this portal";
    const std::vector<std::pair<std::string, std::string>> messages = {
        {"Parse", t::parse("\x01jitgate x", "SELECT 1")},
        {"Bind to a reserved portal", t::bind(reserved, "")},
        {"Bind of a reserved statement", t::bind("", "\x01jitgate blocked this statement")},
        {"Describe portal", t::describe_portal(reserved)},
        {"Describe statement", t::describe_statement("\x01jitgate y")},
        {"Close", t::close_portal(reserved)},
        {"Execute", t::execute(reserved)},
    };
    for (const auto& [what, message] : messages) {
        INFO(what);
        Harness h;
        CHECK(h.from_client(t::query("SELECT 1") + message + t::sync()) == t::query("SELECT 1"));
        CHECK(h.last.close);
        CHECK(sqlstate_of(h.last.client_reply) == "08P01");
        CHECK_THAT(h.last.log, Catch::Contains("reserved prefix"));
    }
}

TEST_CASE("a blocked Execute becomes a Parse that fails in the parser, not an Execute of a portal",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::read);
    const std::string upstream = p.h.from_client(t::execute("p") + t::sync());
    CHECK(upstream == t::parse("\x01jitgate blocked this statement", "JITGATE BLOCKED THIS STATEMENT") + t::sync());
    CHECK(flow_of(p.h.from_server(t::error("42601") + t::ready('I'))) == Flow{"E 42501", "Z"});
    CHECK_FALSE(p.h.last.close);
}

TEST_CASE("a reply showing that a blocked statement ran closes the session as a security event",
          "[postgres][relay][prepared]") {
    struct Case {
        std::string what;
        std::string request;
        std::string reply;
    };
    const std::vector<Case> cases = {
        {"a blocked Query answered with CommandComplete", t::query("DELETE FROM orders"), t::command_complete("DELETE 1")},
        {"a blocked Query answered with ReadyForQuery alone", t::query("DELETE FROM orders"), t::ready('I')},
        {"a blocked Execute answered with a row", t::execute("p") + t::sync(), t::data_row("1")},
        {"a blocked Parse answered with ParseComplete", t::parse("s", "DELETE FROM orders") + t::sync(), t::parse_complete()},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Prepared p(RiskClass::read);
        (void)p.h.from_client(c.request);
        CHECK(p.h.relay.blocked == 1);
        const std::string client = p.h.from_server(c.reply);
        CHECK(p.h.last.close);
        CHECK(p.h.last.blocked_ran);
        CHECK_THAT(p.h.last.log, Catch::StartsWith("a blocked statement ran"));
        CHECK(flow_of(client) == Flow{"E 08P01"});  // nothing of what ran reaches the client
    }
    // An error, the one reply a substitute gets, is no security event.
    Prepared p(RiskClass::read);
    (void)p.h.from_client(t::query("DELETE FROM orders"));
    (void)p.h.from_server(t::error("42601") + t::ready('I'));
    CHECK_FALSE(p.h.last.blocked_ran);
    CHECK_FALSE(p.h.last.close);
}

// Issue 10 item 4: portals as the server holds them.
TEST_CASE("a Bind is provisional: an Execute behind it in the pipeline is decided with the new class",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::write);
    (void)p.h.from_client(t::parse("del", "DELETE FROM orders WHERE id = $1") + t::parse("sel", "SELECT 1") +
                          t::bind("p", "del") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::parse_complete() + t::bind_complete() + t::ready('T'));
    (void)p.h.from_client(t::bind("q", "sel") + t::execute("q") + t::sync());
    CHECK(p.pipeline->last_execute().risk == RiskClass::read);
    (void)p.h.from_server(t::bind_complete() + t::data_row("1") + t::command_complete("SELECT 1") + t::ready('T'));
    (void)p.h.from_client(t::execute("p") + t::sync());
    CHECK(p.pipeline->last_execute().risk == RiskClass::write);  // confirmed by BindComplete
}

TEST_CASE("a Bind the server refuses or skips leaves its portal unknown, never the new class",
          "[postgres][relay][prepared]") {
    struct Case {
        std::string what;
        std::string requests;
        std::string replies;
    };
    const std::vector<Case> cases = {
        {"refused: cursor already exists", t::bind("p", "sel") + t::sync(), t::error("42P03") + t::ready('E')},
        {"skipped after an earlier error", t::parse("", "SELEC 1") + t::bind("p", "sel") + t::sync(),
         t::error("42601") + t::ready('E')},
        {"skipped, named portal rebound twice", t::execute("nope") + t::bind("p", "sel") + t::bind("p", "sel") + t::sync(),
         t::error("34000") + t::ready('E')},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Prepared p(RiskClass::destructive);
        (void)p.h.from_client(t::parse("del", "DELETE FROM orders") + t::parse("sel", "SELECT 1") + t::bind("p", "del") + t::sync());
        (void)p.h.from_server(t::parse_complete() + t::parse_complete() + t::bind_complete() + t::ready('T'));
        (void)p.h.from_client(c.requests);
        (void)p.h.from_server(c.replies);
        REQUIRE_FALSE(p.h.last.close);
        p.pipeline->allow_up_to(RiskClass::read);
        CHECK(p.h.from_client(t::execute("p") + t::sync()) == blocked_execute + t::sync());
        CHECK_FALSE(p.pipeline->last_execute().classified);
    }
}

TEST_CASE("text that may drop or make portals forgets every portal jitgate remembered",
          "[postgres][relay][prepared]") {
    for (const std::string text : {"ROLLBACK TO SAVEPOINT s", "ROLLBACK", "ABORT", "COMMIT", "END", "COMMIT AND CHAIN",
                                   "CLOSE p", "CLOSE ALL", "DECLARE c CURSOR FOR SELECT 1", "DEALLOCATE ALL"}) {
        for (const bool extended : {false, true}) {
            INFO(text << (extended ? " (Parse/Bind/Execute)" : " (Query)"));
            Prepared p(RiskClass::destructive);
            (void)p.h.from_client(t::parse("sel", "SELECT 1") + t::bind("p", "sel") + t::sync());
            (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::ready('T'));
            if (extended) {
                (void)p.h.from_client(t::parse("", text) + t::bind("", "") + t::execute("") + t::sync());
                (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::command_complete("X") + t::ready('T'));
            } else {
                (void)p.h.from_client(t::query(text));
                (void)p.h.from_server(t::command_complete("X") + t::ready('T'));
            }
            (void)p.h.from_client(t::execute("p") + t::sync());
            CHECK_FALSE(p.pipeline->last_execute().classified);
        }
    }
    // RELEASE SAVEPOINT and SAVEPOINT keep portals.
    Prepared p(RiskClass::destructive);
    (void)p.h.from_client(t::parse("sel", "SELECT 1") + t::bind("p", "sel") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::ready('T'));
    (void)p.h.from_client(t::query("SAVEPOINT a; RELEASE SAVEPOINT a"));
    (void)p.h.from_server(t::command_complete("SAVEPOINT") + t::command_complete("RELEASE") + t::ready('T'));
    (void)p.h.from_client(t::execute("p") + t::sync());
    CHECK(p.pipeline->last_execute().risk == RiskClass::read);
}

TEST_CASE("DEALLOCATE run by an Execute forgets the statements parsed after its Parse",
          "[postgres][relay][prepared]") {
    Prepared p(RiskClass::destructive);
    (void)p.h.from_client(t::parse("d", "DEALLOCATE ALL") + t::parse("s1", "SELECT 1") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::parse_complete() + t::ready('I'));
    (void)p.h.from_client(t::bind("", "d") + t::execute("") + t::sync());
    (void)p.h.from_server(t::bind_complete() + t::command_complete("DEALLOCATE ALL") + t::ready('I'));
    (void)p.h.from_client(t::bind("", "s1") + t::execute("") + t::sync());
    CHECK_FALSE(p.pipeline->last_execute().classified);
}

// Issue 10 item 9: COPY IN ("COPY Operations"): the server ignores Sync and Flush until CopyDone/CopyFail.
TEST_CASE("in COPY IN mode Sync and Flush owe no reply, whenever the client sent them", "[postgres][relay]") {
    const std::string start = t::parse("", "COPY t FROM STDIN") + t::bind("", "") + t::execute("");
    const std::string copy_in = t::empty_message('G');
    SECTION("libpq: a Sync right behind the Execute and one behind CopyDone") {
        Harness h;
        (void)h.from_client(start + t::sync());
        CHECK(h.from_server(t::parse_complete() + t::bind_complete() + copy_in) ==
              t::parse_complete() + t::bind_complete() + copy_in);
        (void)h.from_client(t::copy_data("1\n") + t::flush() + t::sync() + t::copy_done() + t::sync());
        CHECK(h.from_server(t::command_complete("COPY 1") + t::ready('I')) == t::command_complete("COPY 1") + t::ready('I'));
        CHECK_FALSE(h.last.close);
        CHECK_FALSE(h.relay.busy());
        const std::string q = t::query("SELECT 1");
        CHECK(h.from_client(q) == q);
        CHECK(h.from_server(t::command_complete("SELECT 1") + t::ready('I')) == t::command_complete("SELECT 1") + t::ready('I'));
        CHECK_FALSE(h.last.close);
    }
    SECTION("everything pipelined before CopyInResponse arrives") {
        Harness h;
        (void)h.from_client(start + t::sync() + t::copy_data("1\n") + t::copy_done() + t::sync() + t::query("SELECT 1"));
        (void)h.from_server(t::parse_complete() + t::bind_complete() + copy_in + t::command_complete("COPY 1") + t::ready('I') +
                            t::command_complete("SELECT 1") + t::ready('I'));
        CHECK_FALSE(h.last.close);
        CHECK_FALSE(h.relay.busy());
    }
    SECTION("a COPY that fails to start: both Syncs are real") {
        Harness h;
        (void)h.from_client(start + t::sync() + t::copy_data("1\n") + t::copy_done() + t::sync());
        (void)h.from_server(t::parse_complete() + t::bind_complete() + t::error("42P01") + t::ready('I') + t::ready('I'));
        CHECK_FALSE(h.last.close);
        CHECK_FALSE(h.relay.busy());
    }
    SECTION("an error in COPY IN mode: the next Sync is real") {
        Harness h;
        (void)h.from_client(start + t::sync());
        (void)h.from_server(t::parse_complete() + t::bind_complete() + copy_in);
        (void)h.from_client(t::copy_data("x\n"));
        (void)h.from_server(t::error("22P02"));
        (void)h.from_client(t::copy_done() + t::sync());
        (void)h.from_server(t::ready('I'));
        CHECK_FALSE(h.last.close);
        CHECK_FALSE(h.relay.busy());
    }
    SECTION("simple Query COPY with a stray Sync") {
        Harness h;
        (void)h.from_client(t::query("COPY t FROM STDIN"));
        (void)h.from_server(copy_in);
        (void)h.from_client(t::copy_data("1\n") + t::sync() + t::copy_done());
        (void)h.from_server(t::command_complete("COPY 1") + t::ready('I'));
        CHECK_FALSE(h.last.close);
        CHECK_FALSE(h.relay.busy());
    }
}

// Issue 10 item 10: a revoke is an emergency stop.
TEST_CASE("a commit of a transaction that relied on a grant revoked since is blocked", "[postgres][relay][prepared]") {
    Revokes revokes;
    // Up to admin: PREPARE TRANSACTION is two-phase commit, admin (issue 11); the revoke must stop it still.
    Prepared p(RiskClass::admin, nullptr, &revokes);
    p.pipeline->grant_is("g-1");
    (void)p.h.from_client(t::query("BEGIN"));
    (void)p.h.from_server(t::command_complete("BEGIN") + t::ready('T'));
    (void)p.h.from_client(t::query("INSERT INTO orders VALUES (1)"));
    (void)p.h.from_server(t::command_complete("INSERT 0 1") + t::ready('T'));
    const std::string commit = t::query("COMMIT");
    SECTION("revoked: COMMIT, END, COMMIT AND CHAIN, PREPARE TRANSACTION, and a COMMIT by Execute, are blocked") {
        revokes.ids = {"g-1"};
        for (const std::string text : {"COMMIT", "END", "COMMIT AND CHAIN", "PREPARE TRANSACTION 'x'", "SELECT 1; COMMIT"}) {
            INFO(text);
            CHECK(p.h.from_client(t::query(text)) == t::query("JITGATE BLOCKED THIS STATEMENT"));
            const std::string client = p.h.from_server(t::error("42601") + t::ready('E'));
            CHECK_THAT(client, Catch::Contains("grant g-1 was revoked"));
            CHECK_THAT(client, Catch::Contains(std::string(grant_revoked_rule)));
        }
        (void)p.h.from_client(t::parse("", "COMMIT") + t::bind("", "") + t::execute("") + t::sync());
        CHECK(p.h.relay.blocked == 7);  // the Parse and the Execute
        // ROLLBACK is never refused, and ends the transaction's reliance.
        CHECK(p.h.from_client(t::query("ROLLBACK")) == t::query("ROLLBACK"));
    }
    SECTION("not revoked (in force or expired): the COMMIT goes through") {
        CHECK(p.h.from_client(commit) == commit);
    }
    SECTION("once the server reports no transaction open, the next transaction does not inherit the reliance") {
        CHECK(p.h.from_client(commit) == commit);
        (void)p.h.from_server(t::command_complete("COMMIT") + t::ready('I'));
        revokes.ids = {"g-1"};
        (void)p.h.from_client(t::query("BEGIN"));
        (void)p.h.from_server(t::command_complete("BEGIN") + t::ready('T'));
        CHECK(p.h.from_client(commit) == commit);
    }
}

TEST_CASE("the Syncs a COPY IN swallowed do not keep a finished statement's grant in the next transaction",
          "[postgres][relay][prepared]") {
    Revokes revokes;
    Prepared p(RiskClass::write, nullptr, &revokes);
    p.pipeline->grant_is("g-1");
    (void)p.h.from_client(t::parse("", "COPY orders FROM STDIN") + t::bind("", "") + t::execute("") + t::sync());
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::empty_message('G'));
    (void)p.h.from_client(t::copy_data("1\n") + t::copy_done() + t::sync());
    (void)p.h.from_server(t::command_complete("COPY 1") + t::ready('I'));
    (void)p.h.from_client(t::query("INSERT INTO orders VALUES (1)"));  // autocommit, under the grant
    (void)p.h.from_server(t::command_complete("INSERT 0 1") + t::ready('I'));
    revokes.ids = {"g-1"};
    (void)p.h.from_client(t::query("BEGIN"));
    (void)p.h.from_server(t::command_complete("BEGIN") + t::ready('T'));
    CHECK(p.h.from_client(t::query("COMMIT")) == t::query("COMMIT"));
    CHECK_FALSE(p.h.last.close);
}

TEST_CASE("a Sync that would commit a pipeline relying on a grant revoked since gets a failing message first",
          "[postgres][relay][prepared]") {
    Revokes revokes;
    Recorder audit(true);
    Prepared p(RiskClass::write, &audit, &revokes);
    p.pipeline->grant_is("g-1");
    const std::string insert = t::parse("", "INSERT INTO orders VALUES (1)") + t::bind("", "") + t::execute("") + t::flush();
    CHECK(p.h.from_client(insert) == insert);
    (void)p.h.from_server(t::parse_complete() + t::bind_complete() + t::command_complete("INSERT 0 1"));
    revokes.ids = {"g-1"};
    CHECK(p.h.from_client(t::sync()) == blocked_execute + t::sync());
    CHECK(audit.rules.back() == grant_revoked_rule);
    const std::string client = p.h.from_server(t::error("42601") + t::ready('I'));
    CHECK(flow_of(client) == Flow{"E 42501", "Z"});
    CHECK_THAT(client, Catch::Contains("grant g-1 was revoked"));
    CHECK_FALSE(p.h.relay.busy());
    // The next pipeline relies on nothing revoked: its Sync goes through alone.
    const std::string select = t::parse("", "SELECT 1") + t::bind("", "") + t::execute("") + t::sync();
    CHECK(p.h.from_client(select) == select);
}
