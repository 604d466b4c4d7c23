// The one value-or-error type of the code base: a value, or the sentence that says what went wrong; and
// Status for work that returns nothing. Expected failures (bad input, a busy store, a full disk) come back
// as these, never as exceptions.
#pragma once

#include <optional>
#include <string>

namespace jitgate {

template <class T>
struct Result {
    std::optional<T> value;
    std::string error;  // set exactly when value is empty; says what is wrong, never echoes secrets
    [[nodiscard]] explicit operator bool() const noexcept { return value.has_value(); }
};

// Success, or what went wrong ("recording /r/x.jsonl: No space left on device").
struct Status {
    std::string error;
    bool retry = false;  // the resource did not answer (busy, locked, I/O): the same work may succeed later
    [[nodiscard]] explicit operator bool() const noexcept { return error.empty(); }
};

}  // namespace jitgate
