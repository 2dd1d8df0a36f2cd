#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"

namespace locus::cli {
namespace {

struct FeaturesOptions {
  std::string block;
  std::vector<std::string> files;
  std::string output;
  std::string format = "npy";
  std::string png;
  int png_scale = 4;
  bool json = false;
};

// Where FILE's output goes: OUT itself for one input, else OUT/stem.ext.
std::string output_path(const std::string& out, const std::string& file, bool many,
                        const std::string& ext) {
  if (out.empty()) return "";
  if (!many) return out;
  std::filesystem::create_directories(out);
  return (std::filesystem::path(out) / (std::filesystem::path(file).stem().string() + ext)).string();
}

void run(const FeaturesOptions& o) {
  auto block = host::load_feature_block(o.block);
  const bool many = o.files.size() > 1;
  nlohmann::json all = nlohmann::json::array();
  for (size_t i = 0; i < o.files.size(); ++i) {
    const std::string& file = o.files[i];
    if (many && !o.json) std::cerr << "[" << i + 1 << "/" << o.files.size() << "] " << file << "\n";
    const host::FeatureMatrix m = block->compute_file(file);
    const std::string out = output_path(o.output, file, many, "." + o.format);
    if (!out.empty()) {
      if (o.format == "npy") host::write_npy(out, m);
      else host::write_csv(out, m);
    }
    const std::string png = output_path(o.png, file, many, ".png");
    if (!png.empty()) host::write_spectrogram_png(png, m, o.png_scale);
    const host::FeatureSummary s = host::summarize(m);
    if (o.json) {
      nlohmann::json j = {{"file", file},
                          {"block", block->kind()},
                          {"implementation_version", block->implementation_version()},
                          {"frames", m.frames},
                          {"features", m.features},
                          {"type", host::feature_type_name(m.type)},
                          {"min", s.min},
                          {"max", s.max},
                          {"mean", s.mean}};
      if (!out.empty()) j["output"] = out;
      if (!png.empty()) j["png"] = png;
      all.push_back(j);
    } else {
      std::cout << file << ": " << m.frames << " frames x " << m.features << " "
                << host::feature_type_name(m.type) << " (min " << s.min << ", max " << s.max
                << ", mean " << s.mean << ")";
      if (!out.empty()) std::cout << " -> " << out;
      if (!png.empty()) std::cout << " -> " << png;
      std::cout << "\n";
    }
  }
  if (o.json) std::cout << (many ? all : all[0]).dump(2) << "\n";
}

}  // namespace

void register_features(CLI::App& app) {
  auto o = std::make_shared<FeaturesOptions>();
  std::string presets;
  for (const auto& p : host::feature_block_presets()) presets += (presets.empty() ? "" : ", ") + p;
  CLI::App* cmd = app.add_subcommand(
      "features",
      "Compute a DSP block's features for recordings with the runtime's own block code,\n"
      "exactly as a device would, and save them (.npy or CSV) or draw them (PNG).");
  cmd->add_option("-b,--block", o->block,
                  "YAML file with one block (e.g. 'audio_frontend: {window_ms: 30, ...}') or a "
                  "preset: " + presets)
      ->required();
  cmd->add_option("files", o->files, "Audio files (WAV, FLAC, OGG; resampled to the block's rate), CSV for imu_features, "
                  "BMP/PGM/PPM for image_preprocess")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output,
                  "Feature file to write (a directory when several inputs are given)");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"npy", "csv"}))
      ->capture_default_str();
  cmd->add_option("--png", o->png,
                  "Draw the features as a spectrogram PNG (a directory for several inputs)");
  cmd->add_option("--png-scale", o->png_scale, "Pixels per feature value in the PNG")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print a JSON summary");
  cmd->callback([o] { run(*o); });
}

}  // namespace locus::cli
