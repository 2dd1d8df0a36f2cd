#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/codegen/code_generator.h"

namespace locus::cli {

namespace {
struct CodegenArgs {
  std::string capsule;
  std::string out_dir;
  host::CodegenOptions options;
};
}  // namespace

void register_codegen(CLI::App& app) {
  auto args = std::make_shared<CodegenArgs>();
  CLI::App* cmd = app.add_subcommand(
      "codegen",
      "Generate C++ source for a capsule with no interpreter: the weights as constants, each\n"
      "operator a direct call of the runtime's kernel, the memory plan as fixed arena\n"
      "offsets and the DSP configuration baked in. Writes NAME.h and NAME.cc; compile them\n"
      "with the runtime library (C++17, no exceptions, RTTI or heap). Everything is in one\n"
      "namespace, so several generated models link into one firmware. See docs/codegen.md.");
  cmd->add_option("capsule", args->capsule, "The .capsule file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->out_dir, "Directory for NAME.h and NAME.cc")->required();
  cmd->add_option("-n,--namespace", args->options.name_space,
                  "C++ namespace of the generated model, e.g. kws or app::models::kws\n"
                  "(default: from the capsule's name)");
  cmd->add_option("--file-name", args->options.file_stem,
                  "Base name of the two files (default: the namespace's last part)");
  cmd->add_flag("--model-only", args->options.model_only,
                "Leave out the DSP block configuration (generate the model only)");
  cmd->callback([args] {
    const host::LoadedCapsule loaded = host::load_capsule(args->capsule);
    const host::GeneratedCode code = host::generate_code(loaded.capsule, args->options);
    const auto [header, source] = host::write_generated_code(code, args->out_dir);
    std::cout << "codegen: namespace " << code.name_space << ": wrote " << header << " and "
              << source << "\n";
  });
}

}  // namespace locus::cli
