// The shell classifier's rules for programs that remove, copy, create or re-permission files (rm, cp, mv,
// install, touch, chmod ...).
#include "guardrails/shell/shell_programs.hpp"

#include <algorithm>
#include <array>

namespace jitgate::guardrails::shell::programs {

Verdict handle_rm(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {});
    if (s.find_any("r R recursive")) {
        std::string written = "-r";  // the option as written: -rf, -R, --recursive
        for (const Word& w : args) {
            if (w.value == "--recursive" || (w.value.size() > 1 && w.value[0] == '-' && w.value[1] != '-' &&
                                             w.value.find_first_of("rR") != std::string::npos)) {
                written = w.value;
                break;
            }
        }
        return verdict(X, str(program) + " " + written + " removes recursively");
    }
    if (s.has("no-preserve-root")) return verdict(X, str(program) + " --no-preserve-root removes the root");
    if (s.dynamic) return verdict(X, str(program) + " with an argument that may expand to options such as -r");
    if (s.operands.empty() && s.find_any("help version")) return verdict(R, str(program) + " --help");
    // DESIGN §4: every deletion is destructive, even of one temp file; a system path says so in the reason.
    Verdict v = verdict(X, str(program) + " deletes files (every deletion is destructive)");
    for (const Word* operand : s.operands) {
        const Verdict path = ctx.write_risk(*operand, str(program) + " of");
        if (path.risk == X && v.reason.ends_with("destructive)")) v.reason = path.reason;
    }
    return v;
}

// cp, mv, install, ln: the destination (-t DIR or the last operand) is written; mv also removes its sources.
Verdict handle_copy(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"tSbm", "target-directory suffix backup mode owner group context", "", false});
    Verdict v = verdict(W, str(program) + " writes files");
    if (s.dynamic) v.raise(X, str(program) + " with an argument that may expand to several paths");
    if (const Option* t = s.find_any("t target-directory")) {
        Word target;
        target.value = t->value;
        target.raw = t->value;
        target.expands = !t->value_literal;
        v.raise(ctx.write_risk(target, str(program) + " into"));
    } else if (!s.operands.empty()) {
        v.raise(ctx.write_risk(*s.operands.back(), str(program) + " onto"));
    }
    if (program == "mv") {
        for (std::size_t i = 0; i + 1 < s.operands.size(); ++i) v.raise(ctx.write_risk(*s.operands[i], "mv moving away"));
    }
    // mv, ln -f and install put a new file where the destination was: onto /dev/null (which a write
    // leaves alone) that replaces the device node. mv away from /dev removes one. cp /dev/null FILE
    // empties FILE, a truncation (DESIGN §4).
    const bool replaces = program == "mv" || program == "install" || (program == "ln" && s.find_any("f force"));
    const auto device = [](const Word* w) {
        if (w == nullptr || !w->literal()) return false;
        const std::string path = normalize_path(w->value);
        return path.starts_with("/dev/") && !path.starts_with("/dev/shm/") && !path.starts_with("/dev/mqueue/");
    };
    const Word* destination = s.operands.empty() ? nullptr : s.operands.back();
    if (replaces && device(destination) && !s.find_any("t target-directory")) {
        v.raise(X, str(program) + " onto " + destination->value + " replaces a device node");
    }
    if (program == "mv") {
        for (std::size_t i = 0; i + 1 < s.operands.size(); ++i) {
            if (device(s.operands[i])) v.raise(X, "mv of " + s.operands[i]->value + " removes a device node");
        }
    }
    if (program == "cp" && s.operands.size() == 2 && s.operands.front()->literal() &&
        one_of(normalize_path(s.operands.front()->value), {"/dev/null", "/dev/zero"}) && !device(destination)) {
        v.raise(X, "cp " + s.operands.front()->value + " onto " + destination->raw + " empties it");
    }
    return v;
}

// touch, mkdir, tee, truncate ...: every operand is written.
Verdict handle_create(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"srdtmZ", "size reference date mode context", "", false});
    const bool overwrites = program == "tee" || program == "truncate";
    Verdict v = program == "tee" ? verdict(R, "tee writes only to stdout") : verdict(W, str(program) + " writes files");
    for (const Word* operand : s.operands) v.raise(ctx.write_risk(*operand, str(program), overwrites));
    if (program == "truncate" && !s.operands.empty()) {
        // Truncation deletes what was in the file (DESIGN §4); only growing it (-s +N, -s >N) keeps the data.
        const Option* size = s.find_any("s size");
        const bool grows = size != nullptr && size->value_literal && (size->value.starts_with("+") || size->value.starts_with(">"));
        if (!grows) v.raise(X, str(program) + " cuts files, deleting their contents");
    }
    return v;
}

Verdict handle_chmod(std::string_view program, Args args, const Context& ctx) {
    const ScannedArgs s = scan_args(args, {"", "reference from", "", false});
    Verdict v = verdict(A, str(program) + " changes ownership or permissions");
    if (s.find_any("R recursive")) {
        for (const Word* operand : s.operands) {
            const Verdict p = ctx.write_risk(*operand, str(program) + " -R on");
            if (p.risk == X) v.raise(p);
        }
    }
    return v;
}

}  // namespace jitgate::guardrails::shell::programs
