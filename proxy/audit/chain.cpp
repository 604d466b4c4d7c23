// The SHA-256 hash chain of the audit log and session recordings: hashing, appending a chained line,
// and the offline walk that names the first broken record. See chain.hpp for the format and limits.
#include "proxy/audit/chain.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <new>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace jitgate::proxy {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
    if (ctx_ == nullptr || md_ == nullptr) throw std::bad_alloc{};
}

Sha256::~Sha256() {
    EVP_MD_free(md_);
    EVP_MD_CTX_free(ctx_);
}

void Sha256::hex(std::string_view data, char* out) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    const bool done = EVP_DigestInit_ex(ctx_, md_, nullptr) == 1 &&
                      EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 &&
                      EVP_DigestFinal_ex(ctx_, digest.data(), &size) == 1 && size == 32;
    if (!done) throw std::runtime_error{"OpenSSL SHA-256 failed"};  // an invariant, not an input error
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < size; ++i) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 0xF];
    }
}

std::string Sha256::hex(std::string_view data) {
    std::string out(hash_hex_size, '0');
    hex(data, out.data());
    return out;
}

void Chain::append(std::string& out, std::string_view body, Sha256& sha) {
    const std::size_t start = out.size();
    out += "{\"seq\":";
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, next_seq).ptr);
    out += ',';
    out += body;
    out += ",\"prev\":\"";
    out += prev;
    out += "\"}";
    sha.hex(std::string_view{out}.substr(start), prev.data());
    out += '\n';
    ++next_seq;
}

std::string errno_text(int error) { return std::system_category().message(error); }

int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

namespace {

// Lines of a file, each with whether a newline ended it.
class LineReader {
public:
    explicit LineReader(const std::filesystem::path& path) : in_(path, std::ios::binary) {}
    [[nodiscard]] bool is_open() const { return in_.is_open(); }
    [[nodiscard]] bool next(std::string& line, bool& terminated) {
        if (!std::getline(in_, line)) return false;
        terminated = !in_.eof();
        return true;
    }

private:
    std::ifstream in_;
};

// How many of the 64 hex digits differ: a prev that is one edit away from the right hash was edited
// itself, whereas an edited previous line hashes to something unrelated (about 60 digits differ).
[[nodiscard]] std::size_t digits_apart(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return hash_hex_size;
    std::size_t apart = 0;
    for (std::size_t i = 0; i < a.size(); ++i) apart += a[i] != b[i] ? 1u : 0u;
    return apart;
}

}  // namespace

// The chain is checked line by line. When line k's prev does not match the hash of line k-1, either line
// k-1 was altered (its hash changed) or line k's prev was: if line k's prev is within a few digits of
// the right hash, or line k+1's prev does not match line k either, line k is named; otherwise line k-1
// is, as the first broken record. An edit to the body of the last line cannot be seen (nothing holds its
// hash): compare last_hash with a copy kept elsewhere.
ChainVerification verify_chain(const std::filesystem::path& path, const RecordCheck& check) {
    ChainVerification result;
    result.last_hash = zero_hash;
    LineReader reader{path};
    if (!reader.is_open()) {
        result.why = fmt::format("cannot open {}: {}", path.string(), errno_text(errno));
        return result;
    }
    Sha256 sha;
    std::string& prev_hash = result.last_hash;  // the hash of the previous line
    std::string line;
    bool terminated = true;
    const auto broken = [&](std::uint64_t line_number, std::uint64_t seq, std::string why) {
        result.line = line_number;
        result.seq = seq;
        result.why = std::move(why);
        return result;
    };
    for (std::uint64_t number = 1; reader.next(line, terminated); ++number) {
        const std::uint64_t expected = result.records + 1;
        if (!terminated) {
            result.torn = true;
            return broken(number, expected, "torn last line (no newline after it: the writer stopped mid-record)");
        }
        const JsonRead read = read_json_object(line);
        if (!read) return broken(number, expected, line.empty() ? "an empty line" : read.error);
        const nlohmann::json& record = *read.object;
        const std::optional<std::uint64_t> seq = json_integer(record, "seq");
        if (!seq) return broken(number, expected, "no seq");
        if (*seq != expected) {
            return broken(number, *seq,
                          expected == 1 ? fmt::format("the first record has seq {}, not 1", *seq)
                                        : fmt::format("seq {} follows {}", *seq, expected - 1));
        }
        if (std::string why = check(record); !why.empty()) return broken(number, *seq, std::move(why));
        const std::optional<std::string_view> prev = json_string(record, "prev");
        if (!prev) return broken(number, *seq, "no prev");
        if (*prev != prev_hash) {
            if (number == 1) return broken(number, *seq, "the first record's prev is not 64 zeros");
            if (digits_apart(*prev, prev_hash) < 16) {
                return broken(number, *seq, "prev does not match the previous record (this record's prev was edited)");
            }
            const std::string this_hash = sha.hex(line);
            std::string next;
            bool next_terminated = true;
            std::optional<std::string> next_prev;
            const bool has_next = reader.next(next, next_terminated);
            if (has_next) {
                if (const JsonRead after = read_json_object(next); after) {
                    if (const auto p = json_string(*after.object, "prev")) next_prev = std::string{*p};
                }
            }
            if (has_next && next_prev != this_hash) {
                return broken(number, *seq, "prev does not match the previous record");
            }
            --result.records;
            return broken(number - 1, *seq - 1,
                          has_next ? fmt::format("this record was altered: its hash is no longer the prev of the next "
                                                 "record (line {})",
                                                 number)
                                   : fmt::format("this record or the prev of the last line ({}) was altered: they no "
                                                 "longer match",
                                                 number));
        }
        sha.hex(line, prev_hash.data());
        ++result.records;
    }
    result.ok = true;
    return result;
}

}  // namespace jitgate::proxy
