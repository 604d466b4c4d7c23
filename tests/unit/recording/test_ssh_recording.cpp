// Unit tests of SSH session recordings: the companion NDJSON verifies sealed with command and exit
// records; a terminal channel gets an asciicast whose output events are whole UTF-8 however the chunks
// split, with resizes; the exit record's hash of the cast is checked offline, and an edited or missing
// cast is named; a blocked or terminal-less channel gets no cast.
#include "proxy/audit/audit_json.hpp"
#include "proxy/recording/ssh_recording.hpp"

#include "tests/unit/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace jitgate;
using namespace jitgate::proxy;
using namespace std::chrono_literals;

namespace {

struct TempDir : testing::TempDir {
    TempDir() : testing::TempDir("jitgate-ssh-recording-test") {}
};

const config::TimePoint start = config::TimePoint{} + 1'795'852'800s;  // 2026-11-28T08:00:00Z

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::ifstream in{path, std::ios::binary};
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::unique_ptr<SshRecording> open_recording(const std::filesystem::path& dir) {
    SshRecording::Opened opened =
        SshRecording::open(dir, RecordingHeader{"s-9", "alice", "web-1", "192.0.2.7:50022", "9b1c44", start});
    INFO(opened.error);
    REQUIRE(opened);
    return std::move(*opened.value);
}

SshCommandRecord shell(std::uint32_t channel) {
    SshCommandRecord r;
    r.at = start + 1s;
    r.channel = channel;
    r.kind = "shell";
    return r;
}

}  // namespace

TEST_CASE("an SSH recording is a sealed chain of commands and exits with a cast per terminal channel", "[ssh-recording]") {
    TempDir dir;
    auto recording = open_recording(dir.path);
    const std::filesystem::path path = recording->path();
    REQUIRE(recording->command(shell(0), SshTerminal{"xterm-256color", 100, 30}));
    // "é" split across two chunks, "€" across three.
    REQUIRE(recording->output(0, "caf\xC3", start + 1100ms));
    REQUIRE(recording->output(0, "\xA9 \xE2", start + 1200ms));
    REQUIRE(recording->output(0, "\x82", start + 1300ms));
    REQUIRE(recording->output(0, "\xAC\r\n", start + 1400ms));
    REQUIRE(recording->resize(0, 120, 40, start + 2s));
    SshCommandRecord exec;
    exec.at = start + 3s;
    exec.channel = 1;
    exec.kind = "exec";
    exec.command = "rm -rf /srv/app";
    exec.risk = config::RiskClass::destructive;
    exec.verdict = guardrails::Verdict::block;
    exec.rule = "missing grant: destructive on web-1";
    REQUIRE(recording->command(exec, SshTerminal{"xterm", 80, 24}));  // blocked: no cast
    REQUIRE(recording->output(1, "ignored", start + 3s));
    REQUIRE(recording->exit(1, 126, "", start + 3s));
    REQUIRE(recording->exit(0, 0, "", start + 4s));
    REQUIRE(recording->close("connection closed"));

    const RecordingVerification verified = verify_recording(path);
    CHECK(verified.state == RecordingVerification::State::sealed);
    CHECK(verified.records == 6);
    CHECK_FALSE(check_casts(path));
    const std::vector<std::string> lines = lines_of(path);
    CHECK(lines[0].find(R"("protocol":"ssh")") != std::string::npos);
    CHECK(lines[1].find(R"("type":"command","t":1.000,"channel":0,"kind":"shell","command":"","class":"read",)"
                        R"("verdict":"allow","rule":"","grant":"","cast":"s-9-alice-web-1-ch0.cast")") != std::string::npos);
    CHECK(lines[2].find(R"("kind":"exec","command":"rm -rf /srv/app","class":"destructive","verdict":"block")") !=
          std::string::npos);
    CHECK(lines[2].find("cast") == std::string::npos);
    CHECK(lines[3].find(R"("type":"exit","t":3.000,"channel":1,"status":126,"signal":"")") != std::string::npos);
    CHECK(lines[5].find(R"("statements":2,"blocked":1)") != std::string::npos);

    const std::vector<std::string> cast = lines_of(recording->cast_path(0));
    REQUIRE(cast.size() == 5);
    CHECK(cast[0] == R"({"version":2,"width":100,"height":30,"timestamp":1795852801,"title":"s-9-alice-web-1",)"
                     R"("env":{"TERM":"xterm-256color"}})");
    CHECK(cast[1] == R"([0.100000,"o","caf"])");  // the first byte of "é" waits for the second
    CHECK(cast[2] == R"([0.200000,"o","é "])");
    CHECK(cast[3] == R"([0.400000,"o","€\r\n"])");  // nothing at 0.3 s: "€" was still incomplete
    CHECK(cast[4] == R"([1.000000,"r","120x40"])");
    CHECK_FALSE(std::filesystem::exists(recording->cast_path(1)));
}

TEST_CASE("an edited or missing cast is named by the exit record that holds its hash", "[ssh-recording]") {
    TempDir dir;
    auto recording = open_recording(dir.path);
    const std::filesystem::path path = recording->path();
    REQUIRE(recording->command(shell(0), SshTerminal{"xterm", 80, 24}));
    REQUIRE(recording->output(0, "$ ls\r\n", start + 1500ms));
    REQUIRE(recording->exit(0, 0, "", start + 2s));
    REQUIRE(recording->close("connection closed"));
    const std::filesystem::path cast = recording->cast_path(0);
    REQUIRE_FALSE(check_casts(path));

    SECTION("one byte changed") {
        std::string bytes;
        {
            std::ifstream in{cast, std::ios::binary};
            bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        bytes[bytes.find("ls")] = 'L';
        std::ofstream{cast, std::ios::binary | std::ios::trunc} << bytes;
        const auto problem = check_casts(path);
        REQUIRE(problem);
        CHECK(problem->record == 3);
        CHECK(problem->why == "s-9-alice-web-1-ch0.cast: its SHA-256 does not match the recording");
    }
    SECTION("missing") {
        std::filesystem::remove(cast);
        const auto problem = check_casts(path);
        REQUIRE(problem);
        CHECK(problem->why.find("cannot be read") != std::string::npos);
    }
}

TEST_CASE("closing with a terminal still open ends its cast with an exit record", "[ssh-recording]") {
    TempDir dir;
    auto recording = open_recording(dir.path);
    REQUIRE(recording->command(shell(2), SshTerminal{"", 0, 0}));  // 0x0: 80x24
    REQUIRE(recording->output(2, "x\xF0\x9F", start + 1500ms));      // the stream ends mid-character
    REQUIRE(recording->close("closed by jitgate"));
    const std::vector<std::string> lines = lines_of(recording->path());
    REQUIRE(lines.size() == 4);
    CHECK(lines[2].find(R"("channel":2,"status":null)") != std::string::npos);
    const std::vector<std::string> cast = lines_of(recording->cast_path(2));
    REQUIRE(cast.size() == 3);
    CHECK(cast[0].find(R"("width":80,"height":24)") != std::string::npos);
    CHECK(cast[1] == R"([0.500000,"o","x"])");
    CHECK(cast[2].find(R"("o","\ufffd\ufffd"])") != std::string::npos);
    CHECK(verify_recording(recording->path()).state == RecordingVerification::State::sealed);
    CHECK_FALSE(check_casts(recording->path()));
}
