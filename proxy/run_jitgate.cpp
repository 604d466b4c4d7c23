// The jitgate command line as a function (DESIGN §2), and the process's hooks: the shipped main calls
// run_jitgate with the hooks empty; only tests/support/jitgate_testing.cpp fills them.
#include "proxy/hooks.hpp"
#include "proxy/commands.hpp"

#include <chrono>
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

int run_jitgate(int argc, char** argv) {
    CLI::App app{"jitgate: a just-in-time access proxy for PostgreSQL and SSH", "jitgate"};
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
