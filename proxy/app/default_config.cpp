// Where a subcommand finds its config when -c is not given: $JITGATE_CONFIG, then ./jitgate.yaml.
#include "proxy/app/commands.hpp"

#include <cstdlib>

namespace jitgate::proxy {

std::string default_config_path() {
    if (const char* env = std::getenv("JITGATE_CONFIG"); env != nullptr && *env != '\0') return env;
    return "jitgate.yaml";
}

}  // namespace jitgate::proxy
