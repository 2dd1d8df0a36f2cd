// locus data: dataset statistics, splits, and Edge Impulse import/export.
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "host/common/error.h"
#include "host/dataset/data_stats.h"
#include "host/dataset/dataset.h"
#include "host/dataset/edge_impulse.h"

namespace locus::cli {
namespace {

constexpr const char* kLayoutHelp =
    "DIR is a dataset: class folders (DIR/LABEL/*.wav, .flac, .ogg, or .csv IMU recordings;\n"
    "hidden files, README/LICENSE files and _background_noise_ are skipped), or a manifest\n"
    "(DIR/manifest.csv or DIR/manifest.jsonl, or --manifest) with the columns path, label\n"
    "and optionally split, location, group/speaker/device.";

// Runs a command, turning file system errors into host::Error so the CLI
// reports them like any other bad input.
template <typename F>
std::function<void()> guarded(F f) {
  return [f] {
    try {
      f();
    } catch (const std::filesystem::filesystem_error& e) {
      host::fail(e.what());
    }
  };
}

struct StatsOptions {
  std::string dir;
  std::string manifest;
  uint32_t sample_rate = 0;
  uint64_t seed = 0;
  bool json = false;
};

void register_stats(CLI::App& data) {
  auto o = std::make_shared<StatsOptions>();
  CLI::App* cmd = data.add_subcommand(
      "stats",
      std::string("Count a dataset's recordings per label, split and location, add up their\n"
                  "durations, list sample rates and channels, and report problems: unreadable,\n"
                  "silent (peak below -60 dBFS), clipped (over 0.1% of samples at full scale) or\n"
                  "very short (< 0.25 s) files, a sample rate other than --sample-rate, empty\n"
                  "classes (also per split), a single class, and strong class imbalance.\n"
                  "Samples without a split are assigned one first (10% validation, 10% test,\n"
                  "by group), as 'locus data split' would. Files are read by two workers."));
  cmd->footer(kLayoutHelp);
  cmd->add_option("dir", o->dir, "Dataset folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--manifest", o->manifest, "Manifest file (CSV or .jsonl) listing the samples")
      ->check(CLI::ExistingFile);
  cmd->add_option("--sample-rate", o->sample_rate,
                  "Expected audio sample rate in Hz; other rates are reported");
  cmd->add_option("--split-seed", o->seed, "Seed for assigning splits")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON instead of tables");
  cmd->callback(guarded([o] {
    host::Dataset dataset = host::load_dataset(o->dir, {o->manifest});
    host::SplitOptions split;
    split.seed = o->seed;
    host::assign_splits(dataset, split);
    host::DataStatsOptions options;
    options.expected_sample_rate = o->sample_rate;
    const host::DataStats stats = host::compute_data_stats(dataset, options);
    if (o->json) {
      std::cout << host::data_stats_json(stats).dump(2) << "\n";
    } else {
      std::cout << host::render_data_stats(stats);
    }
  }));
}

struct SplitCommandOptions {
  std::string dir;
  std::string manifest;
  std::string output;
  double validation = 0.1;
  double test = 0.1;
  uint64_t seed = 0;
  bool reassign = false;
};

void register_split(CLI::App& data) {
  auto o = std::make_shared<SplitCommandOptions>();
  CLI::App* cmd = data.add_subcommand(
      "split",
      std::string(
          "Assign every sample to train, validation or test and write a manifest with the\n"
          "split column. Whole groups (speaker, device, or the speaker in a Speech Commands\n"
          "name SPEAKER_nohash_N.wav) go to one split, chosen by hashing the group with the\n"
          "seed (SHA-256), so the result is the same on every machine and no speaker is in two\n"
          "splits. Splits already in the manifest are kept unless --reassign."));
  cmd->footer(kLayoutHelp);
  cmd->add_option("dir", o->dir, "Dataset folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("-o,--output", o->output,
                  "Manifest to write: CSV, or JSON lines when it ends in .jsonl; paths in it\n"
                  "are relative to its folder")
      ->required();
  cmd->add_option("--manifest", o->manifest, "Manifest file to read instead of the folders")
      ->check(CLI::ExistingFile);
  cmd->add_option("--validation", o->validation, "Share of groups for validation (0..1)")
      ->capture_default_str();
  cmd->add_option("--test", o->test, "Share of groups for test (0..1)")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed: another seed gives another split")
      ->capture_default_str();
  cmd->add_flag("--reassign", o->reassign, "Ignore splits the manifest already gives");
  cmd->callback(guarded([o] {
    host::Dataset dataset = host::load_dataset(o->dir, {o->manifest});
    host::SplitOptions split;
    split.validation_share = o->validation;
    split.test_share = o->test;
    split.seed = o->seed;
    split.keep_manifest_splits = !o->reassign;
    host::assign_splits(dataset, split);
    host::write_manifest(dataset, o->output);
    std::cout << "wrote " << o->output << ": " << dataset.samples.size() << " samples, "
              << dataset.split(host::kTrainSplit).size() << " train, "
              << dataset.split(host::kValidationSplit).size() << " validation, "
              << dataset.split(host::kTestSplit).size() << " test\n";
  }));
}

struct ImportOptions {
  std::string source;
  std::string output;
  std::string hmac_key;
  std::string label;
};

void register_import_ei(CLI::App& data) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = data.add_subcommand(
      "import-ei",
      "Import files in Edge Impulse's data acquisition format (JSON or CBOR) into a dataset\n"
      "folder: audio (one sensor with units 'wav') becomes DIR/LABEL/NAME.wav, other sensors\n"
      "DIR/LABEL/NAME.csv (timestamp in ms, one column per axis, at most 9). The label is\n"
      "the file name up to its first '.' (Edge Impulse's LABEL.NAME.json), or --label.\n"
      "With --hmac-key every file must carry an HS256 signature made with that key (files\n"
      "that fail are refused); without it, signed files are imported with a warning. All\n"
      "files are checked before any is written, and existing files are never overwritten.");
  cmd->add_option("source", o->source, "A .json/.cbor file, or a folder searched recursively")
      ->required();
  cmd->add_option("-o,--output", o->output, "Dataset folder to write into")->required();
  cmd->add_option("--hmac-key", o->hmac_key,
                  "The Edge Impulse project's HMAC key, to verify signatures");
  cmd->add_option("--label", o->label, "Label for every file instead of its name's prefix");
  cmd->callback(guarded([o] {
    host::EiImportOptions options;
    options.hmac_key = o->hmac_key;
    options.label = o->label;
    const host::EiImportResult r = host::import_edge_impulse(o->source, o->output, options);
    for (const std::string& w : r.warnings) std::cerr << "locus: warning: " << w << "\n";
    std::cout << "imported " << r.written.size() << " file(s) into " << o->output << " ("
              << r.audio_files << " audio, " << r.imu_files << " IMU";
    if (!o->hmac_key.empty()) std::cout << ", " << r.verified << " signature(s) verified";
    std::cout << ")\n";
  }));
}

struct ExportOptions {
  std::string dir;
  std::string output;
  std::string manifest;
  std::string format = "json";
  std::string hmac_key;
  std::string split;
  uint64_t seed = 0;
  std::string device_type = "locus";
};

void register_export_ei(CLI::App& data) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = data.add_subcommand(
      "export-ei",
      std::string(
          "Export a dataset (or one split) in Edge Impulse's data acquisition format: one file\n"
          "per recording, named LABEL.NAME.json or .cbor, so Edge Impulse's uploader and\n"
          "'locus data import-ei' read the labels back. Audio is written as int16 values with\n"
          "interval_ms = 1000 / sample rate (mixed down to mono); IMU CSVs need a timestamp\n"
          "column. With --hmac-key each file is signed (HS256) as the format specifies.\n"
          "--split uses the manifest's splits, or assigns them as 'locus data split' does."));
  cmd->footer(kLayoutHelp);
  cmd->add_option("dir", o->dir, "Dataset folder")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("-o,--output", o->output, "Folder to write the files into")->required();
  cmd->add_option("--format", o->format, "Encoding")
      ->check(CLI::IsMember({"json", "cbor"}))
      ->capture_default_str();
  cmd->add_option("--hmac-key", o->hmac_key, "HMAC key to sign the files with");
  cmd->add_option("--split", o->split, "Only this split: train, validation or test")
      ->check(CLI::IsMember({"train", "validation", "test"}));
  cmd->add_option("--manifest", o->manifest, "Manifest file to read instead of the folders")
      ->check(CLI::ExistingFile);
  cmd->add_option("--split-seed", o->seed, "Seed for assigning splits (with --split)")
      ->capture_default_str();
  cmd->add_option("--device-type", o->device_type, "payload.device_type to write")
      ->capture_default_str();
  cmd->callback(guarded([o] {
    host::Dataset dataset = host::load_dataset(o->dir, {o->manifest});
    if (!o->split.empty()) {
      host::SplitOptions split;
      split.seed = o->seed;
      host::assign_splits(dataset, split);
    }
    host::EiExportOptions options;
    options.encoding = o->format == "cbor" ? host::EiEncoding::kCbor : host::EiEncoding::kJson;
    options.hmac_key = o->hmac_key;
    options.split = o->split;
    options.device_type = o->device_type;
    options.iat = static_cast<int64_t>(std::time(nullptr));
    const host::EiExportResult r = host::export_edge_impulse(dataset, o->output, options);
    std::cout << "exported " << r.written.size() << " file(s) to " << o->output
              << (o->hmac_key.empty() ? " (unsigned)" : " (signed HS256)") << "\n";
  }));
}

}  // namespace

void register_data_commands(CLI::App& app) {
  CLI::App* data = app.add_subcommand(
      "data",
      "Datasets: statistics and problems, group-disjoint train/validation/test splits, and\n"
      "Edge Impulse data acquisition files (import and export, JSON or CBOR, HMAC-signed).");
  data->require_subcommand(1);
  register_stats(*data);
  register_split(*data);
  register_import_ei(*data);
  register_export_ei(*data);
}

}  // namespace locus::cli
