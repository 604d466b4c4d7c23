// The proxy's SSH host key (DESIGN §3 ssh_host_key): loaded from its file, or generated (Ed25519,
// mode 0600) on the first start when the file does not exist; its fingerprint is what engineers check.
#pragma once

#include <filesystem>
#include <string>

namespace jitgate::ssh {

struct LoadedHostKey {
    bool ok = false;
    std::string fingerprint;       // "SHA256:..."
    bool generated = false;
    std::string error;
};

[[nodiscard]] LoadedHostKey load_or_create_host_key(const std::filesystem::path& path);

}  // namespace jitgate::ssh
