// locus init and locus build: pipeline files to capsules.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/pipeline/pipeline_builder.h"

namespace locus::cli {
namespace {

struct BuildOptions {
  std::string file = "locus.yml";
  std::string output;
  std::string tag;
  std::string sign;
  std::string data;
  uint64_t sequence = 1;
  bool json = false;
};

std::vector<std::string> recordings_under(const std::string& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::is_directory(dir)) host::fail(dir, ": not a directory");
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".csv" ||
                                ext == ".bmp" || ext == ".pgm" || ext == ".ppm")) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) host::fail(dir, ": no recordings found");
  return files;
}

void run_build(const BuildOptions& o) {
  const host::PipelineFile pipeline = host::load_pipeline(o.file);
  host::PipelineBuildOptions options;
  options.sequence = o.sequence;
  options.producer = std::string("locus build ") + LOCUS_VERSION;
  if (!o.data.empty()) {
    options.data_files = recordings_under(o.data);
    if (!o.json) {
      options.progress = [](size_t done, size_t total) {
        std::cerr << "\rfeature statistics: " << done << "/" << total << std::flush;
        if (done == total) std::cerr << "\n";
      };
    }
  }
  host::PipelineBuild build = host::build_pipeline(pipeline, options);
  std::vector<uint8_t> bytes = std::move(build.bytes);
  if (!o.sign.empty()) bytes = sign_for_build(o.sign, bytes);
  const std::string out = o.output.empty()
                              ? (std::filesystem::path(o.file).parent_path() /
                                 (pipeline.name + ".capsule")).string()
                              : o.output;
  host::write_file_atomic(out, bytes);
  std::string stored;
  if (!o.tag.empty()) stored = store_for_build(o.tag, bytes);
  host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(bytes), out);
  const auto* digest = loaded.capsule.envelope()->body_sha256();
  if (o.json) {
    nlohmann::json j = {{"capsule", out},
                         {"bytes", bytes.size()},
                         {"digest", "sha256:" + host::to_hex(digest->data(), digest->size())},
                         {"frames", build.frames},
                         {"features", build.features},
                         {"stride_frames", build.stride_frames},
                         {"feature_type", build.feature_type},
                         {"dsp_state_bytes", build.dsp_state_bytes},
                         {"arena_bytes", build.plan.arena_bytes},
                         {"signed", !o.sign.empty()}};
    if (!stored.empty()) j["stored"] = stored;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "built " << out << " (" << bytes.size() << " bytes, sha256:"
            << host::to_hex(digest->data(), 6) << ")\n"
            << "  features  " << build.frames << " frames x " << build.features << " "
            << build.feature_type << ", model every " << build.stride_frames << " frames\n"
            << "  memory    DSP state " << build.dsp_state_bytes << " bytes, arena "
            << build.plan.arena_bytes << " bytes\n"
            << "  signed    " << (o.sign.empty() ? "no" : o.sign) << "\n";
  if (!stored.empty()) std::cout << "  stored    " << stored << "\n";
}

}  // namespace

void register_pipeline_commands(CLI::App& app) {
  auto o = std::make_shared<BuildOptions>();
  CLI::App* build = app.add_subcommand(
      "build",
      "Compile a pipeline file (sensor, DSP block, model, labels, post-processing) into a\n"
      "capsule: checks that the shapes chain, plans memory, embeds a self-test, optionally\n"
      "feature statistics, a signature, and a name:tag in the local store.");
  build->add_option("-f,--file", o->file, "Pipeline file")->capture_default_str()->check(CLI::ExistingFile);
  build->add_option("-o,--output", o->output, "Capsule to write (default: NAME.capsule beside the file)");
  build->add_option("-t,--tag", o->tag, "Also store the capsule locally as NAME:TAG");
  build->add_option("--sign", o->sign, "Sign with this key (name from 'locus keys list', or a key file)");
  build->add_option("--data", o->data,
                    "Folder of recordings to compute per-feature mean and variance over");
  build->add_option("--sequence", o->sequence, "Sequence number (anti-rollback)")->capture_default_str();
  build->add_flag("--json", o->json, "Print JSON");
  build->callback([o] { run_build(*o); });

  auto template_name = std::make_shared<std::string>("kws");
  auto init_output = std::make_shared<std::string>("locus.yml");
  auto force = std::make_shared<bool>(false);
  std::string names;
  for (const auto& n : host::pipeline_templates()) names += (names.empty() ? "" : ", ") + n;
  CLI::App* init = app.add_subcommand("init", "Write a starter pipeline file.");
  init->add_option("--template", *template_name, "One of: " + names)->capture_default_str();
  init->add_option("-o,--output", *init_output, "File to write")->capture_default_str();
  init->add_flag("--force", *force, "Overwrite an existing file");
  init->callback([template_name, init_output, force] {
    const std::string text = host::pipeline_template(*template_name);
    if (std::filesystem::exists(*init_output) && !*force) {
      host::fail(*init_output, ": already exists (use --force to overwrite)");
    }
    host::write_file_atomic(*init_output, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    std::cout << "wrote " << *init_output << " (template " << *template_name
              << "); edit model.import and labels, then run: locus build -f " << *init_output
              << "\n";
  });
}

}  // namespace locus::cli
