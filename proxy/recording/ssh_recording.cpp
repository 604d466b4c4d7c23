// SSH session recordings: the companion NDJSON through SessionRecorder, one asciicast per terminal
// channel, and the offline check of the casts' hashes. See ssh_recording.hpp.
#include "proxy/recording/ssh_recording.hpp"

#include "proxy/audit/audit_json.hpp"
#include "proxy/audit/audit_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <iterator>

namespace jitgate::proxy {

// One channel's terminal recording.
struct SshRecording::Cast {
    std::filesystem::path path;
    int fd = -1;
    config::TimePoint start;
    Utf8Carry carry;
    EVP_MD_CTX* sha = nullptr;  // over every byte written
    std::uint64_t bytes = 0;

    Cast() = default;
    Cast(const Cast&) = delete;
    Cast& operator=(const Cast&) = delete;
    ~Cast() {
        if (fd >= 0) ::close(fd);
        EVP_MD_CTX_free(sha);
    }
    [[nodiscard]] std::chrono::microseconds offset(config::TimePoint at) const {
        return std::chrono::duration_cast<std::chrono::microseconds>(at - start);
    }
    // The hex SHA-256 of everything written; ends the digest.
    [[nodiscard]] std::string digest() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned size = 0;
        EVP_DigestFinal_ex(sha, md.data(), &size);
        std::string hex;
        for (unsigned i = 0; i < size; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", md[i]);
        return hex;
    }
};

SshRecording::Opened SshRecording::open(const std::filesystem::path& dir, RecordingHeader header) {
    header.protocol = "ssh";
    SessionRecorder::Opened opened = SessionRecorder::open(dir, header);
    if (!opened) return {std::nullopt, std::move(opened.error)};
    return {std::unique_ptr<SshRecording>(new SshRecording(std::move(*opened.value))), {}};
}

SshRecording::SshRecording(std::unique_ptr<SessionRecorder> recorder) : recorder_(std::move(recorder)) {}

SshRecording::~SshRecording() = default;

std::filesystem::path SshRecording::cast_path(std::uint32_t channel) const {
    std::filesystem::path path = recorder_->path();
    path.replace_filename(fmt::format("{}-ch{}.cast", path.stem().string(), channel));
    return path;
}

Status SshRecording::write_cast(Cast& cast, std::string_view line) {
    if (const int error = write_all(cast.fd, line); error != 0) {
        failed_ = fmt::format("recording {}: cannot write: {}", cast.path.string(), errno_text(error));
        return {failed_};
    }
    EVP_DigestUpdate(cast.sha, line.data(), line.size());
    cast.bytes += line.size();
    return {};
}

Status SshRecording::command(const SshCommandRecord& r, const std::optional<SshTerminal>& terminal) {
    if (!failed_.empty()) return {failed_};
    const bool blocked = r.verdict == guardrails::Verdict::block;
    std::string cast_name;
    if (terminal && !blocked && !casts_.contains(r.channel)) {
        auto cast = std::make_unique<Cast>();
        cast->path = cast_path(r.channel);
        cast->start = r.at;
        cast->fd = ::open(cast->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        cast->sha = EVP_MD_CTX_new();
        if (cast->fd < 0 || cast->sha == nullptr || EVP_DigestInit_ex(cast->sha, EVP_sha256(), nullptr) != 1) {
            failed_ = fmt::format("recording {}: {}", cast->path.string(),
                                  cast->fd < 0 ? errno_text(errno) : std::string("SHA-256 unavailable"));
            return {failed_};
        }
        const std::string title = recorder_->path().stem().string();
        std::string header = cast_header({terminal->cols == 0 ? 80 : terminal->cols,
                                          terminal->rows == 0 ? 24 : terminal->rows, r.at, terminal->term, title});
        header += '\n';
        if (Status written = write_cast(*cast, header); !written) return written;
        cast_name = cast->path.filename().string();
        casts_[r.channel] = std::move(cast);
    }
    JsonFields body = recorder_->begin_record("command", r.at);
    body.number("channel", r.channel)
        .word("kind", r.kind)
        .text("command", r.command)
        .word("class", config::to_string(r.risk))
        .word("verdict", to_string(r.verdict))
        .text("rule", r.rule)
        .text("grant", r.grant);
    if (!cast_name.empty()) body.text("cast", cast_name);
    return recorder_->commit_record(true, blocked);
}

Status SshRecording::output(std::uint32_t channel, std::string_view bytes, config::TimePoint at) {
    if (!failed_.empty()) return {failed_};
    const auto found = casts_.find(channel);
    if (found == casts_.end()) return {};
    Cast& cast = *found->second;
    const std::string_view text = cast.carry.feed(bytes);
    if (text.empty()) return {};
    line_.clear();
    append_cast_output(line_, cast.offset(at), text);
    line_ += '\n';
    return write_cast(cast, line_);
}

Status SshRecording::resize(std::uint32_t channel, unsigned cols, unsigned rows, config::TimePoint at) {
    if (!failed_.empty()) return {failed_};
    const auto found = casts_.find(channel);
    if (found == casts_.end()) return {};
    line_.clear();
    append_cast_resize(line_, found->second->offset(at), cols == 0 ? 80 : cols, rows == 0 ? 24 : rows);
    line_ += '\n';
    return write_cast(*found->second, line_);
}

Status SshRecording::exit(std::uint32_t channel, std::optional<int> status, std::string_view signal,
                                config::TimePoint at) {
    if (!failed_.empty()) return {failed_};
    std::unique_ptr<Cast> cast;
    if (const auto found = casts_.find(channel); found != casts_.end()) {
        cast = std::move(found->second);
        casts_.erase(found);
        if (const std::string_view rest = cast->carry.finish(); !rest.empty()) {
            line_.clear();
            append_cast_output(line_, cast->offset(at), rest);
            line_ += '\n';
            if (Status written = write_cast(*cast, line_); !written) return written;
        }
    }
    JsonFields body = recorder_->begin_record("exit", at);
    body.number("channel", channel);
    if (status && *status >= 0) body.number("status", static_cast<std::uint64_t>(*status));
    else body.key("status").out() += "null";
    body.text("signal", signal);
    if (cast) {
        body.text("cast", cast->path.filename().string()).number("cast_bytes", cast->bytes).word("cast_sha256", cast->digest());
    }
    return recorder_->commit_record(false, false);
}

Status SshRecording::close(std::string_view reason) {
    while (!casts_.empty()) {
        const std::uint32_t channel = casts_.begin()->first;
        if (Status closed = exit(channel, std::nullopt, {}, std::chrono::system_clock::now()); !closed) {
            casts_.clear();
            return closed;
        }
    }
    if (!failed_.empty()) return {failed_};
    return recorder_->close(reason);
}

std::optional<CastCheck> check_casts(const std::filesystem::path& recording) {
    std::ifstream in{recording, std::ios::binary};
    std::string line;
    std::uint64_t number = 0;
    Sha256 sha;
    while (std::getline(in, line)) {
        ++number;
        const JsonRead read = read_json_object(line);
        if (!read || json_string(*read.object, "type") != "exit") continue;
        const nlohmann::json& record = *read.object;
        const std::optional<std::string_view> name = json_string(record, "cast");
        if (!name) continue;
        const auto fail = [&](std::string why) { return CastCheck{number, fmt::format("{}: {}", *name, why)}; };
        if (name->find('/') != std::string_view::npos || *name == "." || *name == "..")
            return fail("not a file name next to the recording");
        const std::filesystem::path path = recording.parent_path() / std::string(*name);
        std::ifstream cast{path, std::ios::binary};
        if (!cast) return fail("cannot be read (copy it along with the recording)");
        const std::string bytes{std::istreambuf_iterator<char>(cast), std::istreambuf_iterator<char>()};
        if (json_integer(record, "cast_bytes") != bytes.size())
            return fail(fmt::format("{} bytes, the recording says {}", bytes.size(), json_integer(record, "cast_bytes").value_or(0)));
        if (json_string(record, "cast_sha256") != sha.hex(bytes)) return fail("its SHA-256 does not match the recording");
    }
    return std::nullopt;
}

}  // namespace jitgate::proxy
