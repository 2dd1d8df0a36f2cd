// One registration function per subcommand; each lives in its own file,
// parses flags and calls the libraries. No logic lives in the CLI.
#ifndef LOCUS_CLI_COMMANDS_H_
#define LOCUS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace locus::cli {

void register_import(CLI::App& app);
void register_inspect(CLI::App& app);
void register_run(CLI::App& app);
void register_features(CLI::App& app);
void register_pipeline_commands(CLI::App& app);  // build, init
void register_graph(CLI::App& app);
void register_keys(CLI::App& app);
void register_verify(CLI::App& app);
void register_sign(CLI::App& app);
void register_store_commands(CLI::App& app);  // ls, tag, rm
void register_data_commands(CLI::App& app);  // data stats, split, import-ei, export-ei
void register_eval(CLI::App& app);
void register_codegen(CLI::App& app);       // C++ source from a capsule
void register_synth(CLI::App& app);         // synth speech, machine
void register_train(CLI::App& app);           // built with LOCUS_TRAIN
void register_calibrate(CLI::App& app);       // built with LOCUS_TRAIN

// Hooks locus build uses for --sign and --tag (cli/build_hooks.cc).
std::vector<uint8_t> sign_for_build(const std::string& key, const std::vector<uint8_t>& capsule);
std::string store_for_build(const std::string& tag, const std::vector<uint8_t>& capsule);

}  // namespace locus::cli

#endif  // LOCUS_CLI_COMMANDS_H_
