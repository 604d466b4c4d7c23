// The jitgate command line as a function (DESIGN §2), and the process's hooks: the shipped main calls
// run_jitgate with the hooks empty; only tests/support/jitgate_testing.cpp fills them.
#include "proxy/app/hooks.hpp"
#include "proxy/app/commands.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <vector>
#include <cstdio>
#include <iostream>

namespace jitgate::proxy {

Hooks& hooks() noexcept {
    static Hooks instance;
    return instance;
}

config::TimePoint cli_now() {
    return hooks().now ? hooks().now() : std::chrono::system_clock::now();
}

namespace {

// `-c FILE` / `--config FILE` / `--config=FILE` / `-cFILE` is accepted before the subcommand as well
// as after it (`jitgate -c jitgate.yaml grant list`): such leading words are moved to the end of the
// command line (before a `--`), where the last subcommand reads them.
std::vector<char*> config_anywhere(int argc, char** argv) {
    std::vector<char*> front{argv, argv + argc};
    std::vector<char*> moved;
    std::size_t i = 1;
    while (i < front.size()) {
        const std::string_view word = front[i];
        if ((word == "-c" || word == "--config") && i + 1 < front.size()) {
            moved.insert(moved.end(), {front[i], front[i + 1]});
            front.erase(front.begin() + static_cast<std::ptrdiff_t>(i), front.begin() + static_cast<std::ptrdiff_t>(i) + 2);
        } else if (word.starts_with("--config=") || (word.starts_with("-c") && word.size() > 2 && word[2] != '-')) {
            moved.push_back(front[i]);
            front.erase(front.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            break;  // the subcommand (or another global flag): the rest is left as written
        }
    }
    if (moved.empty()) return front;
    const auto separator = std::find_if(front.begin() + 1, front.end(),
                                        [](const char* word) { return std::string_view(word) == "--"; });
    front.insert(separator, moved.begin(), moved.end());
    return front;
}

}  // namespace

int run_jitgate(int argc, char** argv) {
    std::vector<char*> args = config_anywhere(argc, argv);
    argc = static_cast<int>(args.size());
    argv = args.data();
    CLI::App app{"jitgate: a just-in-time access proxy for PostgreSQL and SSH", "jitgate"};
    app.footer("\n-c/--config FILE may come before or after the subcommand.\n");
    app.require_subcommand(1);
    app.set_version_flag("--version", "jitgate 0.1.0");
    Run run;
    add_audit(app, run);
    add_check(app, run);
    add_classify(app, run);
    add_grant(app, run);
    add_passwd(app, run);
    add_replay(app, run);
    add_serve(app, run);
    add_token(app, run);
    add_sessions(app, run);
    add_verify(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "jitgate: " << e.what() << "\n\n";
        const CLI::App* failed = &app;
        for (const CLI::App* sub : app.get_subcommands()) failed = sub;
        std::cerr << failed->help();
        return 2;
    }
    if (!run) return 2;
    return run();
}

}  // namespace jitgate::proxy
