// Unit tests of session recordings: write → verify sealed; a recorder dropped without close (a killed
// proxy) → unsealed; a torn last line; a one-byte edit named by record; write failures as values;
// params left out when disabled; result rows capped; the writer thread (same bytes, failures reported).
#include "proxy/audit/audit_json.hpp"
#include "proxy/recording/recording.hpp"

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

namespace {

struct TempDir : testing::TempDir {
    TempDir() : testing::TempDir("jitgate-recording-test") {}
};

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

RecordingHeader header(std::string_view session = "s-1") {
    return {session, "alice", "orders-db", "192.0.2.7:51234", "9b1c44", start};
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::ifstream in{path, std::ios::binary};
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

nlohmann::json record_at(const std::filesystem::path& path, std::size_t index) {
    const JsonRead read = read_json_object(lines_of(path).at(index));
    REQUIRE(read);
    return *read.object;
}

std::unique_ptr<SessionRecorder> open_recorder(const std::filesystem::path& dir, RecorderOptions options = {}) {
    options.clock = [] { return start + 9s; };
    SessionRecorder::Opened opened = SessionRecorder::open(dir, header(), std::move(options));
    INFO(opened.error);
    REQUIRE(opened);
    return std::move(*opened.value);
}

StatementRecord select_statement(std::chrono::milliseconds after) {
    StatementRecord r;
    r.at = start + after;
    r.sql = "SELECT id, name FROM customers";
    r.risk = config::RiskClass::read;
    r.verdict = guardrails::Verdict::allow;
    r.tag = "SELECT 2";
    r.rows = 2;
    r.duration = 1500us;
    return r;
}

using testing::FileSizeLimit;

void write_session(SessionRecorder& recorder, int statements) {
    for (int i = 0; i < statements; ++i) REQUIRE(recorder.statement(select_statement(i * 1000ms)));
}

}  // namespace

TEST_CASE("a recording lives under its day with a safe file name", "[recording]") {
    const RecordingHeader h{"s-1/../x", "al ice", ".hidden", "", "", start};
    CHECK(recording_path("/r", h) == "/r/2026-11-28/s-1_.._x-al_ice-_.hidden.jsonl");
}

TEST_CASE("a closed recording is a header, statements and a seal that verifies as sealed", "[recording]") {
    TempDir dir;
    auto recorder = open_recorder(dir.path);
    const std::filesystem::path path = recorder->path();
    CHECK(std::filesystem::status(path).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    write_session(*recorder, 2);
    StatementRecord blocked = select_statement(2500ms);
    blocked.sql = "DROP TABLE customers";
    blocked.risk = config::RiskClass::destructive;
    blocked.verdict = guardrails::Verdict::block;
    blocked.rule = "no-drop";
    blocked.tag = "";
    blocked.rows = 0;
    blocked.error = RecordedError{"42501", "jitgate blocked a destructive statement"};
    REQUIRE(recorder->statement(blocked));
    REQUIRE(recorder->close("client terminated"));
    CHECK_FALSE(recorder->statement(select_statement(3000ms)));

    const std::vector<std::string> lines = lines_of(path);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] ==
          R"({"seq":1,"type":"header","session":"s-1","user":"alice","target":"orders-db","protocol":"postgres",)"
          R"("client":"192.0.2.7:51234","config":"9b1c44","start":"2026-11-28T08:00:00.000Z","prev":")" +
              std::string(64, '0') + R"("})");
    CHECK(lines[3].find(R"("t":2.500,"kind":"query","sql":"DROP TABLE customers","class":"destructive",)"
                        R"("verdict":"block","rule":"no-drop","grant":"","tag":"","rows":0,"duration_ms":1.500,)"
                        R"("error":{"sqlstate":"42501","message":"jitgate blocked a destructive statement"})") !=
          std::string::npos);
    CHECK(lines[4].find(R"("type":"end","t":9.000,"reason":"client terminated","statements":3,"blocked":1)") !=
          std::string::npos);

    const RecordingVerification verified = verify_recording(path);
    CHECK(verified.state == RecordingVerification::State::sealed);
    CHECK(verified.records == 5);
}

TEST_CASE("a recorder dropped without close (a killed proxy) verifies as unsealed up to its last record",
          "[recording]") {
    TempDir dir;
    std::filesystem::path path;
    {
        auto recorder = open_recorder(dir.path);
        path = recorder->path();
        write_session(*recorder, 3);
    }
    const RecordingVerification verified = verify_recording(path);
    CHECK(verified.state == RecordingVerification::State::unsealed);
    CHECK(verified.records == 4);
    CHECK(verified.why == "no end record");
}

TEST_CASE("a torn last line is unsealed with the complete records before it", "[recording]") {
    TempDir dir;
    std::filesystem::path path;
    {
        auto recorder = open_recorder(dir.path);
        path = recorder->path();
        write_session(*recorder, 2);
    }
    std::ofstream{path, std::ios::app | std::ios::binary} << R"({"seq":4,"type":"statement","t":3.0,"sql":"SEL)";
    const RecordingVerification verified = verify_recording(path);
    CHECK(verified.state == RecordingVerification::State::unsealed);
    CHECK(verified.records == 3);
    CHECK(verified.why.find("torn") != std::string::npos);
}

TEST_CASE("a one-byte edit in any record but the seal's body is named by its record number", "[recording]") {
    TempDir dir;
    auto recorder = open_recorder(dir.path);
    const std::filesystem::path path = recorder->path();
    write_session(*recorder, 3);
    REQUIRE(recorder->close("client terminated"));
    std::ifstream in{path, std::ios::binary};
    const std::string original{std::istreambuf_iterator<char>{in}, {}};
    const std::vector<std::string> lines = lines_of(path);

    for (std::size_t record = 1; record < lines.size(); ++record) {  // every record but the last
        std::size_t at = 0;
        for (std::size_t i = 0; i + 1 < record; ++i) at += lines[i].size() + 1;
        at += lines[record - 1].find("alice") != std::string::npos ? lines[record - 1].find("alice")
                                                                   : lines[record - 1].find("SELECT");
        std::string edited = original;
        edited[at] = 'X';
        std::ofstream{path, std::ios::trunc | std::ios::binary} << edited;
        const RecordingVerification verified = verify_recording(path);
        INFO("edited record " << record << ": " << verified.why);
        CHECK(verified.state == RecordingVerification::State::broken);
        CHECK(verified.bad_record == record);
    }
}

TEST_CASE("a record after the seal, or a recording that does not start with a header, is broken",
          "[recording]") {
    TempDir dir;
    auto recorder = open_recorder(dir.path);
    const std::filesystem::path path = recorder->path();
    REQUIRE(recorder->close("client terminated"));
    const std::vector<std::string> lines = lines_of(path);
    std::ofstream{path, std::ios::trunc | std::ios::binary} << lines[1] << '\n';
    CHECK(verify_recording(path).state == RecordingVerification::State::broken);
    CHECK(verify_recording(path).bad_record == 1);
    CHECK(verify_recording(dir.path / "missing.jsonl").bad_record == 0);
}

TEST_CASE("a recording that cannot be opened or written is an error value and refuses later records",
          "[recording]") {
    TempDir dir;
    SECTION("a directory that is a file") {
        std::ofstream{dir.path / "file"} << "x";
        const SessionRecorder::Opened opened = SessionRecorder::open(dir.path / "file", header());
        CHECK_FALSE(opened);
        CHECK(opened.error.find("cannot create its directory") != std::string::npos);
    }
    SECTION("a read-only directory") {
        if (::geteuid() == 0) return;  // root writes anyway
        std::filesystem::permissions(dir.path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        std::filesystem::create_directories(dir.path / "2026-11-28");
        CHECK_FALSE(SessionRecorder::open(dir.path, header()));
        std::filesystem::permissions(dir.path, std::filesystem::perms::owner_all);
    }
    SECTION("a full disk at the header (/dev/full)") {
        const SessionRecorder::Opened opened = SessionRecorder::open_file("/dev/full", header());
        CHECK_FALSE(opened);
        CHECK(opened.error == "recording /dev/full: cannot write: No space left on device");
        CHECK(std::filesystem::exists("/dev/full"));  // not a file it made: left alone
    }
    SECTION("a header that cannot be written leaves no file behind (a refused session has no recording)") {
        FileSizeLimit limit(10);
        const SessionRecorder::Opened opened = SessionRecorder::open(dir.path, header());
        limit.release();
        CHECK_FALSE(opened);
        CHECK_THAT(opened.error, Catch::Contains("File too large"));
        CHECK_FALSE(std::filesystem::exists(recording_path(dir.path, header())));
    }
    SECTION("a write that fails mid-session (file size limit)") {
        auto recorder = open_recorder(dir.path);
        FileSizeLimit limit(std::filesystem::file_size(recorder->path()));
        const Status failed = recorder->statement(select_statement(1000ms));
        limit.release();
        CHECK_FALSE(failed);
        CHECK(failed.error.find("cannot write: File too large") != std::string::npos);
        CHECK(recorder->statement(select_statement(2000ms)).error == failed.error);
        CHECK(recorder->close("client terminated").error == failed.error);
        CHECK(verify_recording(recorder->path()).state == RecordingVerification::State::unsealed);
    }
    SECTION("an existing recording is not appended to") {
        { auto first = open_recorder(dir.path); }
        CHECK_FALSE(SessionRecorder::open(dir.path, header()));
    }
}

TEST_CASE("params are recorded unless record_params is false", "[recording]") {
    TempDir dir;
    const std::vector<std::optional<std::string_view>> params{"42", std::nullopt, "it's \"quoted\""};
    StatementRecord r = select_statement(0ms);
    r.kind = guardrails::CommandKind::execute;
    r.params = params;
    {
        auto recorder = open_recorder(dir.path / "on");
        REQUIRE(recorder->statement(r));
        CHECK(lines_of(recorder->path()).at(1).find(R"("params":["42",null,"it's \"quoted\""])") !=
              std::string::npos);
    }
    RecorderOptions off;
    off.record_params = false;
    auto recorder = open_recorder(dir.path / "off", off);
    REQUIRE(recorder->statement(r));
    CHECK_FALSE(record_at(recorder->path(), 1).contains("params"));
}

TEST_CASE("result rows are capped at record_rows and left out at 0", "[recording]") {
    TempDir dir;
    const std::vector<std::string> columns{"id", "name"};
    const std::vector<RecordedRow> rows{{"1", "ann"}, {"2", std::nullopt}, {"3", "cy"}};
    StatementRecord r = select_statement(0ms);
    r.columns = columns;
    r.result = rows;
    {
        auto recorder = open_recorder(dir.path / "none");
        REQUIRE(recorder->statement(r));
        CHECK_FALSE(record_at(recorder->path(), 1).contains("result"));
    }
    RecorderOptions two;
    two.record_rows = 2;
    auto recorder = open_recorder(dir.path / "two", two);
    REQUIRE(recorder->statement(r));
    CHECK(lines_of(recorder->path()).at(1).find(R"("result":{"columns":["id","name"],"rows":[["1","ann"],["2",null]]})") !=
          std::string::npos);
    const nlohmann::json result = record_at(recorder->path(), 1).at("result");
    const nlohmann::json& read_rows = result.at("rows");
    REQUIRE(read_rows.is_array());
    CHECK(read_rows.size() == 2);
    CHECK(read_rows.at(1).at(1).is_null());
}

TEST_CASE("records handed to the writer thread are the same bytes, in order, per file, as records written at once",
          "[recording]") {
    TempDir direct_dir;
    TempDir queued_dir;
    auto direct = open_recorder(direct_dir.path);
    write_session(*direct, 300);
    REQUIRE(direct->close("client terminated"));

    std::filesystem::path first_path;
    std::filesystem::path second_path;
    {
        RecordingWriter writer;
        RecorderOptions options;
        options.writer = &writer;
        auto first = open_recorder(queued_dir.path, options);
        auto second = open_recorder(queued_dir.path / "other", options);
        first_path = first->path();
        second_path = second->path();
        for (int i = 0; i < 300; ++i) {  // interleaved: the writer batches both files together
            REQUIRE(first->statement(select_statement(i * 1000ms)));
            REQUIRE(second->statement(select_statement(i * 1000ms)));
        }
        REQUIRE(first->close("client terminated"));  // waits until the seal is written
        CHECK_FALSE(first->pending());
        CHECK(lines_of(first_path) == lines_of(direct->path()));
        std::atomic<bool> woken{false};
        if (second->notify_when_written([&] { woken = true; })) {
            for (int i = 0; i < 500 && !woken; ++i) std::this_thread::sleep_for(1ms);
            CHECK(woken);
        }
        CHECK_FALSE(second->pending());
        CHECK(lines_of(second_path).size() == 301);  // unsealed: the writer wrote every record handed over
        REQUIRE(second->statement(select_statement(301 * 1000ms)));
        CHECK(second->flush());  // on this thread, now: what a session does before its next statement
        CHECK_FALSE(second->pending());
        CHECK(lines_of(second_path).size() == 302);
    }
    CHECK(verify_recording(first_path).state == RecordingVerification::State::sealed);
    const RecordingVerification second = verify_recording(second_path);
    CHECK(second.state == RecordingVerification::State::unsealed);
    CHECK(second.records == 302);
}

TEST_CASE("a write the writer thread cannot do reaches the session as a failure, and later records are refused",
          "[recording]") {
    TempDir dir;
    RecordingWriter writer;
    RecorderOptions options;
    options.writer = &writer;
    auto recorder = open_recorder(dir.path, options);
    FileSizeLimit limit(std::filesystem::file_size(recorder->path()));
    CHECK(recorder->statement(select_statement(1000ms)));  // handed over: the write happens later
    std::atomic<bool> woken{false};
    if (recorder->notify_when_written([&] { woken = true; })) {
        for (int i = 0; i < 2000 && !woken; ++i) std::this_thread::sleep_for(1ms);
    }
    limit.release();
    CHECK_FALSE(recorder->pending());
    CHECK(recorder->failed());
    const Status failed = recorder->status();
    CHECK(failed.error.find("cannot write: File too large") != std::string::npos);
    CHECK(recorder->statement(select_statement(2000ms)).error == failed.error);
    CHECK(recorder->close("client terminated").error == failed.error);
    CHECK(verify_recording(recorder->path()).state == RecordingVerification::State::unsealed);
}
