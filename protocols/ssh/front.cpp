// The shared ssh_bind (see front.hpp).
#include "protocols/ssh/front.hpp"

#include <libssh/server.h>

#include <fmt/format.h>

#include <unistd.h>

namespace jitgate::ssh {

std::unique_ptr<Front> Front::create(const std::filesystem::path& host_key, std::string& error) {
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(host_key.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
        error = fmt::format("ssh_host_key {}: not a readable, unencrypted private key", host_key.string());
        return nullptr;
    }
    ssh_bind bind = ssh_bind_new();
    if (bind == nullptr) {
        ssh_key_free(key);
        error = "cannot allocate the SSH listener";
        return nullptr;
    }
    bool process_config = false;  // no /etc/libssh/libssh_server_config surprises
    ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &process_config);
    if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {  // takes the key
        error = fmt::format("ssh_host_key {}: {}", host_key.string(), ssh_get_error(bind));
        ssh_bind_free(bind);
        return nullptr;
    }
    return std::unique_ptr<Front>(new Front(bind));
}

Front::~Front() { ssh_bind_free(bind_); }

SessionPtr Front::accept(int fd, std::string& error) {
    SessionPtr session(ssh_new());
    if (!session) {
        ::close(fd);
        error = "cannot allocate an SSH session";
        return nullptr;
    }
    const std::lock_guard lock(mutex_);
    if (ssh_bind_accept_fd(bind_, session.get(), fd) != SSH_OK) {
        error = ssh_get_error(bind_);  // the session owns the fd by now: freeing it closes it
        return nullptr;
    }
    return session;
}

}  // namespace jitgate::ssh
