// The SHA-256 hash chain shared by the audit log and session recordings (DESIGN §5): each NDJSON line is
// {"seq":N,<body>,"prev":"<hex>"}, where prev is the SHA-256 of the previous line's exact bytes (without
// its newline) and 64 zeros for the first; and the offline walk that checks such a file line by line.
//
// Limits: the chain is not keyed, so someone who can rewrite the whole file can recompute it; and an
// edit to the body of the last line cannot be seen (nothing after it holds its hash): keep last_hash
// somewhere else to check that.
#pragma once

#include "proxy/audit/audit_json.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace jitgate::proxy {

inline constexpr std::size_t hash_hex_size = 64;
inline const std::string zero_hash(hash_hex_size, '0');

// SHA-256 to lowercase hex with one reusable OpenSSL context (one per thread that hashes).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    // Writes 64 hex digits to out.
    void hex(std::string_view data, char* out);
    [[nodiscard]] std::string hex(std::string_view data);

private:
    EVP_MD_CTX* ctx_;
    EVP_MD* md_;
};

// The writer's end of a chain: the next seq and the hash of the last line written.
struct Chain {
    std::uint64_t next_seq = 1;
    std::string prev = zero_hash;

    // Appends {"seq":N,<body>,"prev":"…"} and a newline to out and moves the chain past it. `body` is
    // the record's fields without braces ("\"type\":\"end\",…").
    void append(std::string& out, std::string_view body, Sha256& sha);
};

// What a walk over a chained file found: ok with the number of records, or the first broken line.
struct ChainVerification {
    bool ok = false;
    std::uint64_t records = 0;  // records checked and found sound before the break (all when ok)
    std::string last_hash;      // the SHA-256 of the last line read before the break (64 zeros: none)
    std::uint64_t line = 0;     // the first broken line, 1-based; 0 when the file cannot be read
    std::uint64_t seq = 0;      // its seq, or the one expected there when it cannot be read
    bool torn = false;          // the break is a last line with no newline (the writer stopped mid-record)
    std::string why;            // "prev does not match the previous record", "torn last line …", …
};

// Checks one record's own fields beyond seq and prev; returns why it is wrong, or "" when it is sound.
using RecordCheck = std::function<std::string(const nlohmann::json& record)>;

// Reads the file once and checks every line: valid JSON, seq consecutive from 1, prev the hash of the
// line before, then `check`. Names the edited line when the evidence allows it (see chain.cpp).
[[nodiscard]] ChainVerification verify_chain(const std::filesystem::path& path, const RecordCheck& check);

// The sentence for an errno value ("Permission denied").
[[nodiscard]] std::string errno_text(int error);

// Writes all of `data` to `fd` (retrying short writes and EINTR); 0, or the errno that stopped it.
[[nodiscard]] int write_all(int fd, std::string_view data);

}  // namespace jitgate::proxy
