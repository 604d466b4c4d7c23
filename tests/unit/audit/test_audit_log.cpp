// Unit tests of the audit log: the record format of each type, the chain across a reopen, torn last
// lines, one-byte edits named by line, concurrent writers, hostile text, backpressure, write failures,
// and the flat JSON reader the verifier and `jitgate audit` use.
#include "proxy/audit/audit_json.hpp"
#include "proxy/audit/audit_log.hpp"

#include "tests/unit/file_size_limit.hpp"
#include "tests/unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using namespace std::chrono_literals;
using testing::FileSizeLimit;

namespace {

const std::string config_hash = "5f1e0c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29";

// A directory that removes itself.
struct TempDir : testing::TempDir {
    TempDir() : testing::TempDir("jitgate-audit-test") {}
};

config::TimePoint at(std::string_view rfc3339) {
    const Result<config::TimePoint> parsed = config::parse_timestamp(rfc3339);
    REQUIRE(parsed);
    return *parsed.value;
}

AuditLog::Options fixed_clock(std::string_view rfc3339) {
    AuditLog::Options options;
    const config::TimePoint when = at(rfc3339);
    options.clock = [when] { return when; };
    return options;
}

std::unique_ptr<AuditLog> open_log(const std::filesystem::path& path, AuditLog::Options options = {}) {
    Result<std::unique_ptr<AuditLog>> opened = AuditLog::open(path, std::move(options));
    INFO(opened.error);
    REQUIRE(opened);
    return std::move(*opened.value);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::vector<std::string> lines;
    std::ifstream in(path, std::ios::binary);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

DecisionRecord decision(std::string_view text, std::uint64_t session = 12) {
    DecisionRecord r;
    r.config = config_hash;
    r.session = session;
    r.user = "alice";
    r.target = "orders-db";
    r.kind = guardrails::CommandKind::query;
    r.text = text;
    r.risk = config::RiskClass::write;
    r.verdict = guardrails::Verdict::block;
    r.rule = "access[0]";
    r.reason = "alice may not write on orders-db without a grant";
    return r;
}

// One record of every type, in the order a session meets them.
void log_one_of_each(AuditLog& log) {
    log.auth({config_hash, "alice", "orders-db", "192.0.2.7:51234", AuthResult::ok, "scram-sha-256"});
    log.session_start({config_hash, 12, "alice", "orders-db", "192.0.2.7:51234"});
    log.decision(decision("UPDATE orders SET paid = true WHERE id = 7"));
    log.grant({config_hash, GrantAction::approve, "g-7f3a9c", "alice", "orders-db", "writer", "bob",
               guardrails::GrantStatus::approved, "INC-42 refund", "bob"});
    log.session_end({config_hash, 12, "alice", "orders-db", 3, 1, "client terminated"});
    log.config_reload({config_hash, ReloadResult::refused, "/etc/jitgate/jitgate.yaml",
                       "jitgate.yaml:4:3: unknown key `listne`"});
}

}  // namespace

TEST_CASE("each record type is one JSON line with seq, time, type, config, its fields and prev", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "nested" / "state" / "audit.jsonl";
    {
        auto log = open_log(path, fixed_clock("2026-11-28T10:38:29.042Z"));
        log_one_of_each(*log);
        REQUIRE(log->flush());
    }
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    const std::vector<std::string> lines = lines_of(path);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] ==
          R"({"seq":1,"time":"2026-11-28T10:38:29.042Z","type":"auth","config":")" + config_hash +
              R"(","user":"alice","target":"orders-db","client":"192.0.2.7:51234","result":"ok","reason":"scram-sha-256","prev":"0000000000000000000000000000000000000000000000000000000000000000"})");
    const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
        {"auth", {"user", "target", "client", "result", "reason"}},
        {"session_start", {"session", "user", "target", "client"}},
        {"decision", {"session", "user", "target", "kind", "text", "statement", "class", "verdict", "rule", "grant", "reason"}},
        {"grant", {"action", "id", "user", "target", "role", "by", "status", "reason"}},
        {"session_end", {"session", "user", "target", "statements", "blocked", "reason"}},
        {"config_reload", {"result", "path", "error"}},
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        INFO(lines[i]);
        const JsonRead read = read_json_object(lines[i]);
        REQUIRE(read);
        const nlohmann::json& record = *read.object;
        CHECK(json_integer(record, "seq") == i + 1);
        CHECK(json_string(record, "time") == "2026-11-28T10:38:29.042Z");
        CHECK(json_string(record, "type") == expected[i].first);
        CHECK(json_string(record, "config") == config_hash);
        for (const std::string& key : expected[i].second) CHECK(record.contains(key));
        CHECK(json_string(record, "prev")->size() == 64);
    }
    const nlohmann::json decision_record = *read_json_object(lines[2]).object;
    CHECK(json_string(decision_record, "class") == "write");
    CHECK(json_string(decision_record, "verdict") == "block");
    CHECK(json_string(decision_record, "kind") == "query");
    CHECK(json_integer(decision_record, "session") == 12u);
    CHECK(json_integer(*read_json_object(lines[4]).object, "blocked") == 1u);
}

TEST_CASE("the chain continues across a reopen and verifies", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    {
        auto log = open_log(path);
        log_one_of_each(*log);
    }
    {
        auto log = open_log(path);
        CHECK(log->notice().empty());
        log_one_of_each(*log);
    }
    const std::vector<std::string> lines = lines_of(path);
    REQUIRE(lines.size() == 12);
    CHECK(json_integer(*read_json_object(lines[6]).object, "seq") == 7u);
    const AuditVerification result = verify_audit(path);
    INFO(result.why);
    CHECK(result.ok);
    CHECK(result.records == 12);
    CHECK(result.last_hash.size() == 64);
}

TEST_CASE("an empty file verifies as zero records; a missing one is an error", "[audit]") {
    TempDir dir;
    write_file(dir.path / "empty.jsonl", "");
    const AuditVerification empty = verify_audit(dir.path / "empty.jsonl");
    CHECK(empty.ok);
    CHECK(empty.records == 0);
    const AuditVerification missing = verify_audit(dir.path / "missing.jsonl");
    CHECK_FALSE(missing.ok);
    CHECK(missing.line == 0);
    CHECK_THAT(missing.why, Catch::Contains("cannot open"));
}

TEST_CASE("a torn last line is named by verify, then cut away on reopen and the chain continues", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    {
        auto log = open_log(path);
        log_one_of_each(*log);
    }
    {
        std::ofstream out(path, std::ios::binary | std::ios::app);
        out << R"({"seq":7,"time":"2026-11)";  // the writer died mid-record
    }
    const AuditVerification torn = verify_audit(path);
    CHECK_FALSE(torn.ok);
    CHECK(torn.line == 7);
    CHECK(torn.seq == 7);
    CHECK_THAT(torn.why, Catch::StartsWith("torn last line"));
    CHECK(torn.records == 6);
    {
        auto log = open_log(path);
        CHECK_THAT(log->notice(), Catch::Contains("dropped a torn last line of 24 bytes"));
        CHECK_THAT(log->notice(), Catch::Contains("the chain continues after seq 6"));
        log->decision(decision("SELECT 1"));
    }
    const AuditVerification repaired = verify_audit(path);
    INFO(repaired.why);
    CHECK(repaired.ok);
    CHECK(repaired.records == 7);
}

TEST_CASE("a torn only line leaves an empty file that starts a new chain", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    write_file(path, R"({"seq":1,"ti)");
    {
        auto log = open_log(path);
        CHECK_FALSE(log->notice().empty());
        log->decision(decision("SELECT 1"));
    }
    CHECK(verify_audit(path).ok);
    CHECK(json_integer(*read_json_object(lines_of(path).at(0)).object, "seq") == 1u);
}

TEST_CASE("a last line that is not an audit record is refused at open (fail closed)", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    write_file(path, "this is not json\n");
    const Result<std::unique_ptr<AuditLog>> opened = AuditLog::open(path);
    REQUIRE_FALSE(opened);
    CHECK_THAT(opened.error, Catch::Contains("not an audit record"));
    CHECK_THAT(opened.error, Catch::Contains("jitgate verify --audit"));
}

TEST_CASE("a second writer on the same file is refused", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    auto first = open_log(path);
    const Result<std::unique_ptr<AuditLog>> second = AuditLog::open(path);
    REQUIRE_FALSE(second);
    CHECK_THAT(second.error, Catch::Contains("another process is writing it"));
}

TEST_CASE("a one-byte edit anywhere is caught and its line named, except in the last record's body", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    {
        auto log = open_log(path);
        log_one_of_each(*log);
    }
    const std::string original = read_file(path);
    const std::vector<std::string> lines = lines_of(path);
    const std::string last_hash = verify_audit(path).last_hash;
    std::size_t offset = 0;
    std::size_t unseen = 0;
    for (std::size_t line = 1; line <= lines.size(); ++line) {
        const std::size_t length = lines[line - 1].size() + 1;  // with its newline
        const bool last = line == lines.size();
        const std::size_t prev_value = lines[line - 1].find(R"("prev":")") + 8;
        for (std::size_t i = offset; i < offset + length; ++i) {
            std::string edited = original;
            edited[i] = static_cast<char>(edited[i] ^ 0x01);
            // A fresh file each time: rewriting one in place makes ext4 flush it on close, which is slow.
            const auto copy = dir.path / ("edited-" + std::to_string(i) + ".jsonl");
            write_file(copy, edited);
            const AuditVerification result = verify_audit(copy);
            std::filesystem::remove(copy);
            const std::size_t column = i - offset;
            if (last && result.ok) {
                // Nothing holds the last record's hash: only the last hash shows the edit.
                CHECK(result.last_hash != last_hash);
                CHECK(column < prev_value);
                ++unseen;
                continue;
            }
            INFO("line " << line << " column " << column << ": " << result.why);
            REQUIRE_FALSE(result.ok);
            CHECK(result.line == line);
        }
        offset += length;
    }
    CHECK(unseen > 0);
}

TEST_CASE("verify names deleted, inserted and reordered lines by seq", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    {
        auto log = open_log(path);
        log_one_of_each(*log);
    }
    const std::vector<std::string> lines = lines_of(path);
    const auto join = [](const std::vector<std::string>& parts) {
        std::string out;
        for (const std::string& part : parts) out += part + "\n";
        return out;
    };
    struct Case {
        const char* what;
        std::vector<std::string> lines;
        std::uint64_t line;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"line 3 deleted", {lines[0], lines[1], lines[3], lines[4]}, 3, "seq 4 follows 2"},
        {"line 2 repeated", {lines[0], lines[1], lines[1], lines[2]}, 3, "seq 2 follows 2"},
        {"lines 4 and 5 swapped", {lines[0], lines[1], lines[2], lines[4], lines[3]}, 4, "seq 5 follows 3"},
        {"the first line deleted", {lines[1], lines[2]}, 1, "the first record has seq 2, not 1"},
        {"an empty line", {lines[0], "", lines[1]}, 2, "an empty line"},
        {"a line of garbage", {lines[0], "{\"seq\":2", lines[1]}, 2, "not valid JSON"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        write_file(path, join(c.lines));
        const AuditVerification result = verify_audit(path);
        CHECK_FALSE(result.ok);
        CHECK(result.line == c.line);
        CHECK_THAT(result.why, Catch::StartsWith(c.why));
    }
}

TEST_CASE("four threads writing 1000 records each get consecutive seq numbers and a sound chain", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    constexpr int threads = 4;
    constexpr int per_thread = 1000;
    {
        auto log = open_log(path);
        std::vector<std::thread> writers;
        for (int t = 0; t < threads; ++t) {
            writers.emplace_back([&log, t] {
                for (int i = 0; i < per_thread; ++i) {
                    const std::string text = "SELECT " + std::to_string(i) + " -- thread " + std::to_string(t);
                    log->decision(decision(text, static_cast<std::uint64_t>(t)));
                }
            });
        }
        for (std::thread& writer : writers) writer.join();
        CHECK(log->flush());
        CHECK(log->healthy());
    }
    const AuditVerification result = verify_audit(path);
    INFO(result.why);
    CHECK(result.ok);
    CHECK(result.records == threads * per_thread);
    // Each thread's records appear in the order it logged them.
    std::vector<int> next(threads, 0);
    for (const std::string& line : lines_of(path)) {
        const nlohmann::json record = *read_json_object(line).object;
        const auto t = static_cast<std::size_t>(*json_integer(record, "session"));
        CHECK(json_string(record, "text") == "SELECT " + std::to_string(next[t]++) + " -- thread " + std::to_string(t));
    }
}

TEST_CASE("a tiny pending cap makes callers wait rather than lose records", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    {
        AuditLog::Options options;
        options.max_pending_bytes = 1024;
        auto log = open_log(path, std::move(options));
        std::vector<std::thread> writers;
        for (int t = 0; t < 2; ++t) {
            writers.emplace_back([&log] {
                for (int i = 0; i < 2000; ++i) log->decision(decision("SELECT 1"));
            });
        }
        for (std::thread& writer : writers) writer.join();
    }
    const AuditVerification result = verify_audit(path);
    CHECK(result.ok);
    CHECK(result.records == 4000);
}

TEST_CASE("hostile text is escaped into valid JSON and reads back, invalid UTF-8 as U+FFFD", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    std::string hostile = R"(SELECT '"; DROP TABLE x; --' \ \\ \u0000 )";
    for (int c = 0; c < 0x20; ++c) hostile += static_cast<char>(c);
    hostile += '\x7f';
    hostile += "caf\xC3\xA9 \xF0\x9F\x98\x80";  // valid: é and an emoji
    const std::string valid_part = hostile;
    const std::string invalid = "\xFF|\xC0\x80|\x80|\xE2\x82|\xED\xA0\x80|\xF4\x90\x80\x80";
    hostile += invalid;
    {
        auto log = open_log(path);
        DecisionRecord r = decision(hostile);
        r.statement = std::string_view{"\0stmt\"", 6};
        r.reason = "\xC3";  // a multi-byte sequence cut short at the end
        log->decision(r);
    }
    const std::string line = lines_of(path).at(0);
    for (const char c : line) CHECK(static_cast<unsigned char>(c) >= 0x20);
    const JsonRead read = read_json_object(line);
    INFO(read.error);
    REQUIRE(read);
    const std::string fffd = "\xEF\xBF\xBD";
    const std::string replaced = fffd + "|" + fffd + fffd + "|" + fffd + "|" + fffd + fffd + "|" + fffd + fffd + fffd +
                                 "|" + fffd + fffd + fffd + fffd;
    CHECK(json_string(*read.object, "text") == valid_part + replaced);
    CHECK(json_string(*read.object, "statement") == std::string_view{"\0stmt\"", 6});
    CHECK(json_string(*read.object, "reason") == fffd);
    CHECK(verify_audit(path).ok);
}

TEST_CASE("every byte value at every offset escapes to JSON that reads back", "[audit][json]") {
    const std::string fffd = "\xEF\xBF\xBD";
    for (int value = 0; value < 256; ++value) {
        const char c = static_cast<char>(value);
        for (std::size_t offset = 0; offset < 17; ++offset) {
            std::string text(17, 'a');
            text[offset] = c;
            std::string json = "{\"t\":";
            append_json_string(json, text);
            json += "}";
            const JsonRead read = read_json_object(json);
            INFO("byte " << value << " at " << offset);
            REQUIRE(read);
            std::string expected = text;
            if (value >= 0x80) expected.replace(offset, 1, fffd);
            CHECK(json_string(*read.object, "t") == expected);
        }
    }
}

TEST_CASE("a write failure turns the log unhealthy and is reported once", "[audit]") {
    if (!std::filesystem::exists("/dev/full")) {
        WARN("no /dev/full here: the write failure is not provoked");
        return;
    }
    std::atomic<int> reported{0};
    std::string error;
    AuditLog::Options options;
    options.on_failure = [&](const std::string& why) {
        ++reported;
        error = why;
    };
    auto log = open_log("/dev/full", std::move(options));
    CHECK(log->healthy());
    CHECK(log->last_error().empty());
    log->decision(decision("SELECT 1"));
    CHECK_FALSE(log->flush());
    CHECK_FALSE(log->healthy());
    for (int i = 0; i < 100; ++i) log->decision(decision("SELECT 2"));  // dropped, and callers are not stuck
    CHECK_FALSE(log->flush());
    CHECK(reported == 1);
    CHECK_THAT(error, Catch::Contains("No space left on device"));
    CHECK(log->last_error() == error);
}

TEST_CASE("commit returns once the record is in the file, written on the caller's thread", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    auto log = open_log(path);
    const AuditLog::Ticket first = log->decision(decision("SELECT 1"));
    const AuditLog::Ticket second = log->decision(decision("SELECT 2"));
    CHECK(second == first + 1);
    CHECK(log->commit(second));  // no waiting for the writer's linger: both are in the file now
    CHECK(lines_of(path).size() == 2);
    CHECK(log->commit(first));
    CHECK(verify_audit(path).records == 2);
}

TEST_CASE("a record queued after a caller's commit is written by the writer, without a flush or a commit",
          "[audit]") {
    // A commit can drain the record that woke the idle writer before the writer runs; the writer must
    // then sleep as idle again, or the next uncommitted record (a block, a grant event) waits for ever.
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    auto log = open_log(path);
    for (std::size_t round = 1; round <= 100; ++round) {
        REQUIRE(log->commit(log->decision(decision("SELECT 'committed'"))));
        (void)log->decision(decision("SELECT 'left to the writer'"));
        const auto deadline = std::chrono::steady_clock::now() + 2s;
        while (lines_of(path).size() < 2 * round && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        INFO("round " << round);
        REQUIRE(lines_of(path).size() == 2 * round);
    }
}

TEST_CASE("a write that fails mid-batch is cut away, its commits fail, and the next write recovers", "[audit]") {
    TempDir dir;
    const auto path = dir.path / "audit.jsonl";
    std::vector<std::string> failures;
    std::vector<std::uint64_t> recoveries;
    AuditLog::Options options;
    options.on_failure = [&](const std::string& why) { failures.push_back(why); };
    options.on_recovery = [&](std::uint64_t dropped) { recoveries.push_back(dropped); };
    auto log = open_log(path, std::move(options));
    REQUIRE(log->commit(log->decision(decision("SELECT 'before'"))));
    const auto before = std::filesystem::file_size(path);
    {
        FileSizeLimit cap(before + 100);  // room for part of the next record only
        const AuditLog::Ticket torn = log->decision(decision(std::string(400, 'x')));
        CHECK_FALSE(log->commit(torn));
        CHECK_FALSE(log->healthy());
        CHECK(std::filesystem::file_size(path) == before);  // the part that fitted was cut away again
        CHECK(verify_audit(path).ok);
        CHECK_FALSE(log->commit(log->decision(decision("SELECT 'still full'"))));
        REQUIRE(failures.size() == 1);  // once per outage
        CHECK_THAT(failures[0], Catch::Contains("File too large"));
        CHECK_THAT(log->last_error(), Catch::Contains("File too large"));
    }
    const AuditLog::Ticket after = log->decision(decision("SELECT 'after'"));
    CHECK(log->commit(after));
    CHECK(log->healthy());
    CHECK(log->last_error().empty());
    CHECK(recoveries == std::vector<std::uint64_t>{2});
    const AuditVerification verified = verify_audit(path);
    CHECK(verified.ok);
    CHECK(verified.records == 3);  // before, the gap, after
    const std::vector<std::string> lines = lines_of(path);
    REQUIRE(lines.size() == 3);
    const JsonRead gap = read_json_object(lines[1]);
    REQUIRE(gap);
    CHECK(json_string(*gap.object, "type") == "audit_gap");
    CHECK(json_integer(*gap.object, "dropped") == 2);
    CHECK_THAT(std::string(json_string(*gap.object, "error").value_or("")), Catch::Contains("File too large"));
    CHECK_THAT(lines[2], Catch::Contains("SELECT 'after'"));
}

TEST_CASE("flush on a healthy log returns at once when nothing is queued", "[audit]") {
    TempDir dir;
    auto log = open_log(dir.path / "audit.jsonl");
    CHECK(log->flush());
    log->decision(decision("SELECT 1"));
    CHECK(log->flush());
    CHECK(lines_of(dir.path / "audit.jsonl").size() == 1);
}

TEST_CASE("the JSON reader accepts RFC 8259 objects and names what is wrong with the rest", "[audit][json]") {
    struct Row {
        std::string line;
        bool ok;
        std::string error;
    };
    const std::vector<Row> rows = {
        {R"({})", true, ""},
        {R"( {"a" : "b" , "n":12} )", true, ""},
        {R"({"nested":{"x":[1,2.5,-3e2,true,false,null,{"y":[]}]},"s":"\u00e9\ud83d\ude00"})", true, ""},
        {R"({"a":"b",})", false, "not valid JSON"},
        {R"({"a":'b'})", false, "not valid JSON"},
        {R"({"a":01})", false, "not valid JSON: unexpected number literal"},
        {R"({"a":"b"} x)", false, "text after the object"},
        {"{\"a\":\"\x01\"}", false, "control character"},
        {"{\"a\":\"\xFF\"}", false, "invalid UTF-8"},
        {R"({"a":"\x"})", false, "unknown escape"},
        {R"({"a":1,"a":2})", false, "duplicate field a"},
        {R"(["a"])", false, "expected `{`"},
        {R"({"a":"b")", false, "expected `}`"},
        {R"({"a":"\ud800"})", false, "surrogate"},   // a lone surrogate is refused, not guessed at
        {R"({"a":)" + std::string(100, '[') + std::string(100, ']') + "}", false, "nested too deeply"},
        {"", false, "expected `{`"},
    };
    for (const Row& row : rows) {
        INFO(row.line);
        const JsonRead read = read_json_object(row.line);
        CHECK(static_cast<bool>(read) == row.ok);
        if (!row.ok) CHECK_THAT(read.error, Catch::Contains(row.error));
    }
    const nlohmann::json object = *read_json_object(R"({"n":18446744073709551615,"big":18446744073709551616,"neg":-1,"s":"\ud83d\ude00 \ufffd"})").object;
    CHECK(json_integer(object, "n") == 18446744073709551615u);
    CHECK_FALSE(json_integer(object, "big"));
    CHECK_FALSE(json_integer(object, "neg"));
    CHECK(object.contains("neg"));
    CHECK(json_string(object, "s") == "\xF0\x9F\x98\x80 \xEF\xBF\xBD");
    CHECK_FALSE(json_string(object, "n"));
}
