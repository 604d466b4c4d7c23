// `jitgate classify sql TEXT`: prints a statement's risk class as the first word, then the reason
// (DESIGN §2, §4). `-` reads one input per line from stdin; `--json` prints every effect; `-c FILE` adds
// the config's `classify` tables and its statement length limit. Needs no config otherwise.
#include "config/config.hpp"
#include "guardrails/sql_classifier.hpp"
#include "proxy/commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace jitgate::proxy {
namespace {

struct ClassifyOptions {
    std::string text;
    std::string config_path;
    bool json = false;
};

void print(const guardrails::Classification& result, std::string_view input, bool as_json) {
    if (!as_json) {
        fmt::print("{}: {}\n", config::to_string(result.risk), result.reason);
        return;
    }
    fmt::print("{}\n", guardrails::to_json(result, input));
}

[[nodiscard]] int run_classify_sql(const ClassifyOptions& options) {
    config::ClassifyTables tables;
    std::size_t max_bytes = config::Limits{}.max_statement_bytes;
    if (!options.config_path.empty()) {
        const config::LoadResult loaded = config::load_file(options.config_path, config::Secrets::skip);
        if (!loaded.config) {
            for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
            return 1;
        }
        tables = loaded.config->classify;
        max_bytes = loaded.config->limits.max_statement_bytes;
    }
    const guardrails::SqlClassifier classifier(tables, max_bytes);
    if (options.text != "-") {
        print(classifier.classify(options.text), options.text, options.json);
        return 0;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        print(classifier.classify(line), line, options.json);
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

void add_classify(CLI::App& app, Run& run) {
    CLI::App* classify = app.add_subcommand("classify", "Print the risk class of a statement and why");
    classify->require_subcommand(1);
    CLI::App* sql = classify->add_subcommand(
        "sql", "Classify SQL: prints CLASS: reason (put -- before a TEXT that begins with -)");
    auto options = std::make_shared<ClassifyOptions>();
    sql->add_option("text", options->text, "The SQL text, or - to read one input per line from stdin")->required();
    sql->add_flag("--json", options->json, "Print every statement and effect as JSON, one object per input");
    sql->add_option("-c,--config", options->config_path, "Add this config file's classify tables");
    sql->callback([&run, options] { run = [options] { return run_classify_sql(*options); }; });
}

}  // namespace jitgate::proxy
