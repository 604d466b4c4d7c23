// Caps this process's file size (RLIMIT_FSIZE, SIGXFSZ ignored) for a test: a write past the cap writes
// what fits and the next fails with EFBIG, as a disk that fills up mid-write would fail it.
#pragma once

#include <catch2/catch.hpp>
#include <sys/resource.h>

#include <csignal>
#include <cstdint>

namespace jitgate::testing {

// Caps the size of every file this process writes at `bytes` until release() or the end of the scope.
class FileSizeLimit {
public:
    explicit FileSizeLimit(std::uintmax_t bytes) : old_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_) == 0);
        rlimit tight = old_;
        tight.rlim_cur = bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &tight) == 0);
    }
    ~FileSizeLimit() { release(); }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    void release() {
        if (released_) return;
        released_ = true;
        ::setrlimit(RLIMIT_FSIZE, &old_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit old_{};
    void (*old_handler_)(int);
    bool released_ = false;
};

}  // namespace jitgate::testing
