// A fresh directory under the system's temp dir for one test, removed with everything in it at the end.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace jitgate::testing {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(std::string_view prefix = "jitgate-test") {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace jitgate::testing
