// The jitgate executable: parses the command line and runs one subcommand (DESIGN §2).
#include "proxy/commands.hpp"

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"jitgate: a just-in-time access proxy for PostgreSQL and SSH", "jitgate"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "jitgate 0.1.0");
    jitgate::proxy::Run run;
    jitgate::proxy::add_audit(app, run);
    jitgate::proxy::add_check(app, run);
    jitgate::proxy::add_classify(app, run);
    jitgate::proxy::add_grant(app, run);
    jitgate::proxy::add_passwd(app, run);
    jitgate::proxy::add_replay(app, run);
    jitgate::proxy::add_serve(app, run);
    jitgate::proxy::add_sessions(app, run);
    jitgate::proxy::add_verify(app, run);
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
