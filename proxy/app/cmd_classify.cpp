// `jitgate classify sql TEXT` / `classify shell TEXT`: prints a statement's or a command line's risk class
// as the first word, then the reason (DESIGN §2, §4). `-` reads one input per line from stdin; `--json`
// prints every effect; `-c FILE` adds the config's `classify` tables and its statement length limit.
// Needs no config otherwise.
#include "config/config.hpp"
#include "guardrails/shell/shell_classifier.hpp"
#include "guardrails/sql/sql_classifier.hpp"
#include "proxy/app/commands.hpp"

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

template <class Result>
void print(const Result& result, std::string_view input, bool as_json) {
    if (!as_json) {
        fmt::print("{}: {}\n", config::to_string(result.risk), result.reason);
        return;
    }
    fmt::print("{}\n", guardrails::to_json(result, input));
}

// The classify tables and length limit: built-in defaults, or the config file's. False after printing its errors.
[[nodiscard]] bool load_tables(const ClassifyOptions& options, config::ClassifyTables& tables, std::size_t& max_bytes) {
    max_bytes = config::Limits{}.max_statement_bytes;
    if (options.config_path.empty()) return true;
    const config::LoadResult loaded = config::load_file(options.config_path, config::Secrets::skip);
    if (!loaded.config) {
        for (const config::Diagnostic& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
        return false;
    }
    tables = loaded.config->classify;
    max_bytes = loaded.config->limits.max_statement_bytes;
    return true;
}

template <class Classifier>
[[nodiscard]] int classify_inputs(const Classifier& classifier, const ClassifyOptions& options) {
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

[[nodiscard]] int run_classify_sql(const ClassifyOptions& options) {
    config::ClassifyTables tables;
    std::size_t max_bytes = 0;
    if (!load_tables(options, tables, max_bytes)) return 1;
    const guardrails::SqlClassifier classifier(tables, max_bytes);
    return classify_inputs(classifier, options);
}

[[nodiscard]] int run_classify_shell(const ClassifyOptions& options) {
    config::ClassifyTables tables;
    std::size_t max_bytes = 0;
    if (!load_tables(options, tables, max_bytes)) return 1;
    const guardrails::ShellClassifier classifier(tables, max_bytes);
    return classify_inputs(classifier, options);
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

    CLI::App* shell = classify->add_subcommand(
        "shell", "Classify a shell command line: prints CLASS: reason (put -- before a TEXT that begins with -)");
    auto shell_options = std::make_shared<ClassifyOptions>();
    shell->add_option("text", shell_options->text, "The command line, or - to read one input per line from stdin")
        ->required();
    shell->add_flag("--json", shell_options->json, "Print every command and its class as JSON, one object per input");
    shell->add_option("-c,--config", shell_options->config_path, "Add this config file's classify.programs table");
    shell->callback([&run, shell_options] { run = [shell_options] { return run_classify_shell(*shell_options); }; });
}

}  // namespace jitgate::proxy
