#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_report.h"
#include "host/tflite/tflite_importer.h"

namespace locus::cli {
namespace {

struct ImportOptions {
  std::string model;
  std::string output;
  std::string name;
  std::string version = "1.0.0";
  std::string location;
  uint64_t sequence = 1;
  std::vector<std::string> labels;
  bool json = false;
};

void run_import(const ImportOptions& o) {
  const std::filesystem::path model(o.model);
  host::AlignedBuffer bytes = host::read_file(o.model);
  host::CapsuleSpec spec;
  spec.graph = host::import_tflite(bytes.span());
  spec.identity.name = o.name.empty() ? model.stem().string() : o.name;
  spec.identity.version = o.version;
  spec.identity.sequence = o.sequence;
  spec.identity.location = o.location;
  spec.identity.producer = std::string("locus import ") + LOCUS_VERSION;
  spec.identity.created_unix =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  spec.labels = o.labels;
  host::BuiltCapsule built = host::build_capsule(std::move(spec));
  const std::string out =
      o.output.empty() ? (model.parent_path() / (model.stem().string() + ".capsule")).string()
                       : o.output;
  host::write_file_atomic(out, built.bytes);
  host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(built.bytes), out);
  nlohmann::json report = host::capsule_report(loaded.capsule, built.bytes.size());
  if (o.json) {
    report["path"] = out;
    std::cout << report.dump(2) << "\n";
  } else {
    std::cout << "wrote " << out << " (" << built.bytes.size() << " bytes, arena "
              << built.plan.arena_bytes << " bytes, lower bound " << built.plan.lower_bound
              << ")\n";
  }
}

}  // namespace

void register_import(CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Convert a TensorFlow Lite int8 model (.tflite) into a verified capsule.");
  cmd->add_option("model", o->model, "The .tflite file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output, "Capsule to write (default: MODEL.capsule)");
  cmd->add_option("--name", o->name, "Capsule name (default: the model's file name)");
  cmd->add_option("--version", o->version, "Semantic version")->capture_default_str();
  cmd->add_option("--sequence", o->sequence, "Sequence number (anti-rollback)")
      ->capture_default_str();
  cmd->add_option("--location", o->location, "Location this capsule is for");
  cmd->add_option("--labels", o->labels, "Output labels, in order (comma separated)")
      ->delimiter(',');
  cmd->add_flag("--json", o->json, "Print the capsule report as JSON");
  cmd->callback([o] { run_import(*o); });
}

}  // namespace locus::cli
