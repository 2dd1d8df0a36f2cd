#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_report.h"

namespace locus::cli {

void register_inspect(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "inspect",
      "Verify a capsule and show its identity, inputs and outputs with their quantisation,\n"
      "operators and parameters, weight bytes, and arena bytes against the lower bound.");
  cmd->add_option("capsule", *path, "The .capsule file")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--json", *json, "Print JSON instead of text");
  cmd->callback([path, json] {
    host::LoadedCapsule loaded = host::load_capsule(*path);
    nlohmann::json report = host::capsule_report(loaded.capsule, loaded.bytes.size());
    if (*json) {
      std::cout << report.dump(2) << "\n";
    } else {
      std::cout << host::render_capsule_report(report);
    }
  });
}

}  // namespace locus::cli
