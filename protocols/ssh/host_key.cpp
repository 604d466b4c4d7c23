// Loads or generates the proxy's host key (see host_key.hpp).
#include "protocols/ssh/host_key.hpp"

#include "protocols/ssh/libssh_util.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace jitgate::ssh {

LoadedHostKey load_or_create_host_key(const std::filesystem::path& path) {
    LoadedHostKey out;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
        ssh_key generated = nullptr;
        if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &generated) != SSH_OK) {
            out.error = "cannot generate an Ed25519 host key";
            return out;
        }
        KeyPtr owner(generated);
        // Created 0600 before libssh writes it (its fopen would honour only the umask).
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            out.error = fmt::format("ssh_host_key {}: {}", path.string(), std::strerror(errno));
            return out;
        }
        ::close(fd);
        if (ssh_pki_export_privkey_file(generated, nullptr, nullptr, nullptr, path.c_str()) != SSH_OK) {
            std::filesystem::remove(path, ec);
            out.error = fmt::format("ssh_host_key {}: cannot write the generated key", path.string());
            return out;
        }
        out.generated = true;
    }
    ssh_key loaded = nullptr;
    if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &loaded) != SSH_OK) {
        out.error = fmt::format("ssh_host_key {}: not a readable, unencrypted private key", path.string());
        return out;
    }
    const KeyPtr owner(loaded);
    out.fingerprint = fingerprint(loaded);
    out.ok = true;
    return out;
}

}  // namespace jitgate::ssh
