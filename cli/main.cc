// locus: the command line of the Locus TinyML Ops system.
#include <iostream>

#include "cli/commands.h"
#include "host/common/error.h"

#ifndef LOCUS_VERSION
#define LOCUS_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "locus: package, train, run and operate TinyML pipelines.\n"
      "Build a pipeline file into a verified capsule (importing a TensorFlow Lite model or\n"
      "training one on your data), evaluate it, inspect it, and run it with the same runtime\n"
      "that runs on Linux, in WebAssembly and on Cortex-M.",
      "locus"};
  app.set_version_flag("--version", std::string("locus ") + LOCUS_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'locus COMMAND --help' for a command's options.");
  locus::cli::register_import(app);
  locus::cli::register_inspect(app);
  locus::cli::register_run(app);
  locus::cli::register_features(app);
  locus::cli::register_pipeline_commands(app);
  locus::cli::register_graph(app);
  locus::cli::register_keys(app);
  locus::cli::register_verify(app);
  locus::cli::register_sign(app);
  locus::cli::register_store_commands(app);
  locus::cli::register_data_commands(app);
  locus::cli::register_eval(app);
  locus::cli::register_codegen(app);
  locus::cli::register_synth(app);
#ifdef LOCUS_WITH_TRAIN
  locus::cli::register_train(app);
  locus::cli::register_calibrate(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const locus::host::Error& e) {
    std::cerr << "locus: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
