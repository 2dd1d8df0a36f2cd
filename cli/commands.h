// One registration function per subcommand; each lives in its own file,
// parses flags and calls the libraries. No logic lives in the CLI.
#ifndef LOCUS_CLI_COMMANDS_H_
#define LOCUS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace locus::cli {

void register_import(CLI::App& app);
void register_inspect(CLI::App& app);
void register_run(CLI::App& app);
void register_features(CLI::App& app);

}  // namespace locus::cli

#endif  // LOCUS_CLI_COMMANDS_H_
