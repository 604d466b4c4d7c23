// The listening side's libssh state (RFC 4253 server): one ssh_bind holding the host key, shared by every
// connection; it turns an accepted socket into a server session. libssh's config files are not read.
#pragma once

#include "protocols/ssh/libssh_util.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

struct ssh_bind_struct;

namespace jitgate::ssh {

class Front {
public:
    // Reads the host key (see host_key.hpp for generation); null with `error` when it cannot.
    [[nodiscard]] static std::unique_ptr<Front> create(const std::filesystem::path& host_key, std::string& error);
    ~Front();
    Front(const Front&) = delete;
    Front& operator=(const Front&) = delete;

    // A server session on `fd` (which it then owns); null with `error`. Thread-safe.
    [[nodiscard]] SessionPtr accept(int fd, std::string& error);

private:
    explicit Front(ssh_bind_struct* bind) : bind_(bind) {}
    std::mutex mutex_;
    ssh_bind_struct* bind_;
};

}  // namespace jitgate::ssh
