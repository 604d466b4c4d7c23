// Unit tests of the config value parsers: durations, sizes, timestamps, addresses, SSH keys, SCRAM
// verifiers, and weekly windows judged across DST changes and midnight.
#include "config/config.hpp"

#include <catch2/catch.hpp>
#include <date/date.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace jitgate::config;
using jitgate::Result;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view alice_key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAu6NjP3ww8/1LEfdEm+P3m44EuXzfKE14AgdJaJ5OWm alice@laptop";
constexpr std::string_view bob_ecdsa_key =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLPTDeaWx6AERzlXybXZYGKu/BSWDuEU0d8+"
    "sxju6/lvKO8ZVR1MBcdQ2OU7Jn4glPRnrmLv5pVYS0ZqN1kmvMs= bob@desk";
constexpr std::string_view carol_rsa_key =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCTz1rApzo/jkYbvrW0Eu7mWxqWtfPaD4KaWORzw0UUhrtxiw1d2tHsgOz1loFWNL2sAhc/"
    "kutAVwSTCwCs7R+hIrR/mBvV1FqbeKzmsW/kg8L7po8e1zBYcg8GKEGmXF7wR05BkGX5l7ewfpW8BNej9z+SwbqsrRsS9YhCdnt3uLwFh6ohQ"
    "CwdslReg8agSjDbmopVWm1rqe/hr35c9UUZqsxEJzk+bgWybrq2s0VsqWkqFEnD0fJrDMfBESE/yhSampYDn/aFWXcl8QXDOjVfWPs+5AB9K8"
    "ejQ2+8N3wR7APHBYGafZ03AbCpdasCLkHGrB1kmCh0W+QEtEMfdbv5 carol";
constexpr std::string_view alice_verifier =
    "SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$RNda8iWfQlO1S/q179NsBaCbT8KuZLoxUjtymgMMVo8=:"
    "bSGXO6gaIm8Wn4q+ojD8LaeK5ELrh9eued+LGOwORng=";

// A UTC instant written as "2024-03-31T01:00:00Z".
TimePoint at(std::string_view text) {
    const Result<TimePoint> parsed = parse_timestamp(text);
    REQUIRE(parsed);
    return *parsed.value;
}

// Whether `password` is the one the verifier was made from (RFC 5802 §3: StoredKey = H(HMAC(SaltedPassword,
// "Client Key"))).
bool verifier_matches(const ScramVerifier& verifier, std::string_view password) {
    std::array<unsigned char, 32> salted{};
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(verifier.salt.data()), static_cast<int>(verifier.salt.size()),
                      static_cast<int>(verifier.iterations), EVP_sha256(), static_cast<int>(salted.size()), salted.data());
    std::array<unsigned char, 32> client_key{};
    unsigned int length = 0;
    constexpr std::string_view label = "Client Key";
    HMAC(EVP_sha256(), salted.data(), static_cast<int>(salted.size()),
         reinterpret_cast<const unsigned char*>(label.data()), label.size(), client_key.data(), &length);
    std::array<unsigned char, 32> stored{};
    SHA256(client_key.data(), client_key.size(), stored.data());
    return std::equal(stored.begin(), stored.end(), verifier.stored_key.begin());
}

}  // namespace

TEST_CASE("durations are written with units d, h, m, s, largest first", "[config]") {
    struct Row {
        std::string_view text;
        Seconds expected;
    };
    const Row good[] = {{"30m", 30min}, {"2h", 2h}, {"90s", 90s}, {"1h30m", 90min}, {"7d", 7 * 24h},
                        {"0s", 0s},     {"1d2h3m4s", 24h + 2h + 3min + 4s}};
    for (const Row& row : good) {
        INFO(row.text);
        const Result<Seconds> parsed = parse_duration(row.text);
        REQUIRE(parsed);
        CHECK(*parsed.value == row.expected);
    }
    struct Bad {
        std::string_view text;
        std::string_view why;
    };
    const Bad bad[] = {{"", "empty"},
                       {"-5m", "no sign"},
                       {"+5m", "no sign"},
                       {"5x", "unknown unit"},
                       {"90", "needs a unit"},
                       {"m", "expected a number"},
                       {"30m2h", "largest first"},
                       {"1h1h", "largest first"},
                       {"5 m", "unknown unit"},
                       {"2hours", "unknown unit"},
                       {"99999999999999999999s", "expected a number"},
                       {"999999d", "too long"}};
    for (const Bad& row : bad) {
        INFO(row.text);
        const Result<Seconds> parsed = parse_duration(row.text);
        CHECK_FALSE(parsed);
        CHECK_THAT(parsed.error, Catch::Contains(std::string{row.why}));
    }
}

TEST_CASE("a duration formats back to the shortest text that parses to it", "[config]") {
    CHECK(format_duration(90min) == "1h30m");
    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(7 * 24h + 1s) == "7d1s");
    for (const Seconds d : {1s, 59s, 61s, 3600s, 86399s, 86400s * 3 + 5s}) {
        CHECK(*parse_duration(format_duration(d)).value == d);
    }
}

TEST_CASE("sizes are bytes or a number with KiB, MiB, GiB", "[config]") {
    CHECK(*parse_size("65536").value == 65536);
    CHECK(*parse_size("64KiB").value == 64 * 1024);
    CHECK(*parse_size("16MiB").value == 16u << 20);
    CHECK(*parse_size("1GB").value == 1'000'000'000);
    CHECK_FALSE(parse_size("16XB"));
    CHECK_FALSE(parse_size("-1"));
    CHECK_FALSE(parse_size(""));
    CHECK_FALSE(parse_size("99999999999999999GiB"));
}

TEST_CASE("timestamps are RFC 3339 with Z or an offset", "[config]") {
    const TimePoint utc = at("2026-12-01T18:00:00Z");
    CHECK(utc == date::sys_days{date::year{2026} / 12 / 1} + 18h);
    CHECK(at("2026-12-01T20:00:00+02:00") == utc);
    CHECK(at("2026-12-01t13:30:00-04:30") == utc);
    CHECK(at("2026-12-01T18:00:00.250Z") == utc + 250ms);
    for (const std::string_view bad : {"2026-12-01", "2026-12-01T18:00:00", "2026-02-30T00:00:00Z",
                                       "2026-12-01T24:00:00Z", "26-12-01T18:00:00Z", "2026-12-01T18:00Z",
                                       "2026-12-01T18:00:00+2", "2026-12-01T18:00:00Zjunk", "tomorrow",
                                       "4437-01-01T00:00:00Z", "1066-10-14T09:00:00Z"}) {
        INFO(bad);
        CHECK_FALSE(parse_timestamp(bad));
    }
}

TEST_CASE("addresses are host:port, with IPv6 in brackets and a port from 1 to 65535", "[config]") {
    const Result<Endpoint> v4 = parse_endpoint("127.0.0.1:5432");
    REQUIRE(v4);
    CHECK(v4.value->host == "127.0.0.1");
    CHECK(v4.value->port == 5432);
    const Result<Endpoint> v6 = parse_endpoint("[::1]:6432");
    REQUIRE(v6);
    CHECK(v6.value->host == "::1");
    CHECK(v6.value->to_string() == "[::1]:6432");
    CHECK(parse_endpoint("db.internal:65535"));
    struct Bad {
        std::string_view text;
        std::string_view why;
    };
    const Bad bad[] = {{"127.0.0.1", "missing :port"},  {"127.0.0.1:0", "1..65535"},
                       {"127.0.0.1:65536", "1..65535"}, {"127.0.0.1:http", "must be a number"},
                       {"::1:5432", "needs [ ]"},       {"[::1]", "missing :port"},
                       {"[nope]:5432", "IPv6"},         {":5432", "host name"},
                       {"db host:5432", "host name"},   {"127.0.0.1:-1", "must be a number"}};
    for (const Bad& row : bad) {
        INFO(row.text);
        const Result<Endpoint> parsed = parse_endpoint(row.text);
        CHECK_FALSE(parsed);
        CHECK_THAT(parsed.error, Catch::Contains(std::string{row.why}));
    }
}

TEST_CASE("SSH public keys must name a known type that matches their key data", "[config]") {
    const Result<SshPublicKey> ed25519 = parse_ssh_public_key(alice_key);
    REQUIRE(ed25519);
    CHECK(ed25519.value->type == "ssh-ed25519");
    CHECK(ed25519.value->comment == "alice@laptop");
    CHECK(ed25519.value->key_text() + " alice@laptop" == alice_key);
    CHECK(parse_ssh_public_key(bob_ecdsa_key));
    CHECK(parse_ssh_public_key(carol_rsa_key));
    CHECK(parse_ssh_public_key(alice_key.substr(0, alice_key.find(" alice"))));

    const std::string mislabelled = "ssh-rsa" + std::string{alice_key.substr(alice_key.find(' '))};
    struct Bad {
        std::string text;
        std::string_view why;
    };
    const Bad bad[] = {{"", "empty"},
                       {"ssh-ed25519", "missing"},
                       {"ssh-dsa AAAAB3NzaC1kc3MAAACBAP", "unknown key type"},
                       {"ssh-ed25519 AAAA...", "not valid base64"},
                       {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE", "not valid base64"},
                       {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", "truncated"},
                       {mislabelled, "is a ssh-ed25519 key, not ssh-rsa"}};
    for (const Bad& row : bad) {
        INFO(row.text);
        const Result<SshPublicKey> parsed = parse_ssh_public_key(row.text);
        CHECK_FALSE(parsed);
        CHECK_THAT(parsed.error, Catch::Contains(std::string{row.why}));
    }
}

TEST_CASE("SCRAM verifiers are read in PostgreSQL's format and keep their key material", "[config]") {
    const Result<ScramVerifier> parsed = parse_scram_verifier_detailed(alice_verifier);
    REQUIRE(parsed);
    CHECK(parsed.value->iterations == 4096);
    CHECK(parsed.value->salt.size() == 16);
    CHECK(verifier_matches(*parsed.value, "alice-demo"));
    CHECK_FALSE(verifier_matches(*parsed.value, "alice-demo2"));
    CHECK(parse_scram_verifier(alice_verifier).has_value());

    const std::string good{alice_verifier};
    const std::string short_key = "SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==$AAAA:" + good.substr(good.rfind(':') + 1);
    struct Bad {
        std::string text;
        std::string_view why;
    };
    const Bad bad[] = {{"md5abcdef", "must start with SCRAM-SHA-256$"},
                       {"SCRAM-SHA-256$4096:UAd01XGJsppBparPXcBeCg==", "missing $"},
                       {"SCRAM-SHA-256$0:" + good.substr(good.find(':') + 1), "positive number"},
                       {"SCRAM-SHA-256$abc:" + good.substr(good.find(':') + 1), "positive number"},
                       {"SCRAM-SHA-256$4096:%%%%" + good.substr(good.find('$', 14)), "salt"},
                       {short_key, "StoredKey must be 32 bytes"},
                       {good.substr(0, good.rfind(':')), "missing :"},
                       {good.substr(0, good.size() - 4), "ServerKey must be 32 bytes"}};
    for (const Bad& row : bad) {
        INFO(row.text);
        const Result<ScramVerifier> result = parse_scram_verifier_detailed(row.text);
        CHECK_FALSE(result);
        CHECK_THAT(result.error, Catch::Contains(std::string{row.why}));
        CHECK_FALSE(parse_scram_verifier(row.text).has_value());
    }
}

TEST_CASE("the demo config's verifiers are made from the documented demo passwords", "[config]") {
    const std::filesystem::path demo = std::filesystem::path{JITGATE_SOURCE_DIR} / "config/demo.yaml";
    std::ifstream in(demo);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string yaml = text.str();
    const std::regex verifier_line(R"re(name: (\w+)\n\s+groups: \[\w+\]\n\s+password: "([^"]+)")re");
    int found = 0;
    for (auto it = std::sregex_iterator(yaml.begin(), yaml.end(), verifier_line); it != std::sregex_iterator(); ++it) {
        const std::string user = (*it)[1];
        const std::optional<ScramVerifier> verifier = parse_scram_verifier((*it)[2].str());
        INFO(user);
        REQUIRE(verifier);
        CHECK(verifier->iterations == 4096);
        CHECK(verifier_matches(*verifier, user + "-demo"));
        ++found;
    }
    CHECK(found == 2);
}

TEST_CASE("windows are parsed from days, a time range and an IANA zone", "[config]") {
    const Result<Window> office = parse_window("Mon-Fri 09:00-18:00 Europe/Berlin");
    REQUIRE(office);
    CHECK(office.value->days == 0b0011111);
    CHECK(office.value->start_minute == 9 * 60);
    CHECK(office.value->end_minute == 18 * 60);
    CHECK(office.value->time_zone == "Europe/Berlin");
    CHECK(office.value->text == "Mon-Fri 09:00-18:00 Europe/Berlin");
    CHECK(parse_window("Sun 02:00-04:00 UTC").value->days == 0b1000000);
    CHECK(parse_window("Mon,Wed,Fri 09:00-12:00 UTC").value->days == 0b0010101);
    CHECK(parse_window("Sat-Mon 00:00-24:00 UTC").value->days == 0b1100001);
    CHECK(parse_window("09:00-17:00 America/New_York").value->days == 0b1111111);
    CHECK(parse_window("mon-fri 22:00-06:00 Asia/Tokyo"));

    struct Bad {
        std::string_view text;
        std::string_view why;
    };
    const Bad bad[] = {{"", "empty"},
                       {"Mon-Fri 09:00-18:00", "time zone is missing"},
                       {"Mon-Fri 09:00-18:00 Mars/Olympus", "unknown time zone"},
                       {"Monday 09:00-18:00 UTC", "expected days"},
                       {"Mon-Fir 09:00-18:00 UTC", "expected days"},
                       {"Mon,,Fri 09:00-18:00 UTC", "expected days"},
                       {"Mon-Fri 9-18 UTC", "expected a time range"},
                       {"Mon-Fri 09:00-25:00 UTC", "expected a time range"},
                       {"Mon-Fri 24:00-09:00 UTC", "expected a time range"},
                       {"Mon-Fri 09:60-10:00 UTC", "expected a time range"},
                       {"Mon 09:00-09:00 UTC", "the same"},
                       {"Mon-Fri", "expected a time range"},
                       {"Mon 09:00-10:00 UTC extra", "unexpected text"}};
    for (const Bad& row : bad) {
        INFO(row.text);
        const Result<Window> parsed = parse_window(row.text);
        CHECK_FALSE(parsed);
        CHECK_THAT(parsed.error, Catch::Contains(std::string{row.why}));
    }
}

TEST_CASE("a window follows the wall clock of its zone through summer and winter time", "[config]") {
    const Window office = *parse_window("Mon-Fri 09:00-18:00 Europe/Berlin").value;
    struct Row {
        std::string_view instant;
        bool inside;
        std::string_view why;
    };
    const Row rows[] = {
        {"2024-07-10T07:00:00Z", true, "Wednesday 09:00 CEST opens"},
        {"2024-07-10T06:59:59Z", false, "Wednesday 08:59:59 CEST is before opening"},
        {"2024-07-10T15:59:59Z", true, "Wednesday 17:59:59 CEST is the last second"},
        {"2024-07-10T16:00:00Z", false, "the end is exclusive"},
        {"2024-01-10T07:00:00Z", false, "Wednesday 08:00 CET is before opening in winter"},
        {"2024-01-10T08:00:00Z", true, "Wednesday 09:00 CET opens in winter"},
        {"2024-07-13T10:00:00Z", false, "Saturday is not a weekday"},
        {"2024-07-12T21:59:00Z", false, "Friday evening in UTC terms is Friday 23:59 in Berlin"},
    };
    for (const Row& row : rows) {
        INFO(row.instant << ": " << row.why);
        CHECK(office.contains(at(row.instant)) == row.inside);
    }
}

TEST_CASE("a window on a DST change night covers the wall-clock hours that exist", "[config]") {
    const Window maintenance = *parse_window("Sun 02:00-04:00 Europe/Berlin").value;
    struct Row {
        std::string_view instant;
        bool inside;
        std::string_view why;
    };
    const Row rows[] = {
        // 2024-03-31: clocks jump from 02:00 CET to 03:00 CEST at 01:00Z; the window lasts one real hour.
        {"2024-03-31T00:59:59Z", false, "01:59:59 CET, before the window"},
        {"2024-03-31T01:00:00Z", true, "03:00 CEST, right after the jump"},
        {"2024-03-31T01:59:59Z", true, "03:59:59 CEST"},
        {"2024-03-31T02:00:00Z", false, "04:00 CEST, the end"},
        // 2024-10-27: clocks fall back from 03:00 CEST to 02:00 CET at 01:00Z; the window lasts three hours.
        {"2024-10-27T00:00:00Z", true, "02:00 CEST, the first 02:00"},
        {"2024-10-27T01:30:00Z", true, "02:30 CET, the second 02:30"},
        {"2024-10-27T02:59:59Z", true, "03:59:59 CET"},
        {"2024-10-27T03:00:00Z", false, "04:00 CET, the end"},
        {"2024-10-26T23:59:59Z", false, "01:59:59 CEST"},
    };
    for (const Row& row : rows) {
        INFO(row.instant << ": " << row.why);
        CHECK(maintenance.contains(at(row.instant)) == row.inside);
    }
}

TEST_CASE("a window that runs past midnight belongs to the day it starts", "[config]") {
    const Window late = *parse_window("Fri 22:00-02:00 UTC").value;
    struct Row {
        std::string_view instant;
        bool inside;
        std::string_view why;
    };
    const Row rows[] = {
        {"2024-07-12T22:00:00Z", true, "Friday 22:00 opens"},
        {"2024-07-12T23:59:59Z", true, "Friday before midnight"},
        {"2024-07-13T00:00:00Z", true, "Saturday midnight is still Friday's window"},
        {"2024-07-13T01:59:59Z", true, "Saturday 01:59:59"},
        {"2024-07-13T02:00:00Z", false, "Saturday 02:00 closes"},
        {"2024-07-13T23:00:00Z", false, "Saturday night is not listed"},
        {"2024-07-12T01:00:00Z", false, "Friday early morning belongs to Thursday's window"},
        {"2024-07-12T21:59:59Z", false, "Friday before 22:00"},
    };
    for (const Row& row : rows) {
        INFO(row.instant << ": " << row.why);
        CHECK(late.contains(at(row.instant)) == row.inside);
    }
    const Window all_day = *parse_window("Sat-Sun 00:00-24:00 America/New_York").value;
    CHECK(all_day.contains(at("2024-07-13T04:00:00Z")));        // Saturday 00:00 EDT
    CHECK_FALSE(all_day.contains(at("2024-07-13T03:59:59Z")));  // Friday 23:59:59 EDT
    CHECK(all_day.contains(at("2024-07-15T03:59:59Z")));        // Sunday 23:59:59 EDT
}

TEST_CASE("a window with an unknown time zone refuses to judge instead of guessing", "[config]") {
    Window broken = *parse_window("Mon 09:00-10:00 UTC").value;
    broken.time_zone = "Nowhere/Special";
    CHECK_THROWS_AS(broken.contains(at("2024-07-15T09:30:00Z")), std::runtime_error);
}

TEST_CASE("risk classes read and print by their DESIGN names", "[config]") {
    for (const RiskClass risk : {RiskClass::read, RiskClass::write, RiskClass::ddl, RiskClass::admin,
                                 RiskClass::destructive, RiskClass::unknown}) {
        CHECK(parse_risk_class(to_string(risk)) == risk);
    }
    CHECK_FALSE(parse_risk_class("Read").has_value());
    CHECK_FALSE(parse_risk_class("").has_value());
}
