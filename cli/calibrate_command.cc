// locus calibrate: a base capsule and a few examples from one location to a
// capsule for that location, checked on the location's held-out clips.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "host/evaluation/report.h"
#include "train/calibrate/calibration_job.h"

namespace locus::cli {
namespace {

struct CalibrateOptions {
  train::CalibrationOptions job;
  std::string report;
  bool json = false;
};

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * v);
  return text;
}

void write_reports(const CalibrateOptions& o, const train::CalibrationResult& r) {
  for (const auto& [name, eval] : {std::pair{"before", &r.before}, std::pair{"after", &r.after}}) {
    host::EvalContext context;
    context.capsule_origin = std::string(name) == "before" ? o.job.base : r.output;
    context.data_dir = o.job.data;
    context.manifest = o.job.manifest;
    context.split = "test";
    context.split_seed = o.job.seed;
    host::write_report((std::filesystem::path(o.report) / name).string(), *eval, context);
  }
}

void run_calibrate(CalibrateOptions& o) {
  o.job.show_progress = !o.json;
  const train::CalibrationResult r = train::run_calibration(o.job);
  if (!o.report.empty()) write_reports(o, r);
  if (o.json) {
    std::cout << train::calibration_summary_json(r).dump(2) << "\n";
    return;
  }
  std::cout << "\n" << r.output << ": " << r.capsule.size() << " bytes, location " << r.location
            << ", mode " << r.mode << ", parent sha256:" << r.parent_digest.substr(0, 16) << "\n";
  std::cout << "  trained on " << r.shots << " location clips (+" << r.augmented
            << " augmented copies";
  if (r.replayed > 0) std::cout << ", " << r.replayed << " replayed base clips";
  if (r.generated_silence > 0) std::cout << ", " << r.generated_silence << " generated silence";
  std::cout << ")\n";
  if (!r.added_labels.empty()) {
    std::cout << "  new labels:";
    for (const auto& l : r.added_labels) std::cout << " " << l;
    std::cout << "\n";
  }
  std::cout << "  held-out clips: " << r.after.predictions.size() << "\n";
  std::cout << "  class          base     calibrated   (recall)\n";
  for (size_t i = 0; i < r.after.metrics.classes.size(); ++i) {
    const auto& after = r.after.metrics.classes[i];
    std::string before = "-";
    for (const auto& b : r.before.metrics.classes) {
      if (b.label == after.label && b.support > 0) before = percent(b.recall);
    }
    if (after.support == 0) continue;
    std::printf("  %-12s %8s   %8s\n", after.label.c_str(), before.c_str(),
                percent(after.recall).c_str());
  }
  std::cout << "  accuracy     " << percent(r.before.metrics.accuracy) << "   "
            << percent(r.after.metrics.accuracy) << "\n";
  for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
  std::cout << "  time: " << r.seconds_training << " s training, " << r.seconds_total
            << " s in all\n";
  if (!o.report.empty()) std::cout << "  reports: " << o.report << "/before, " << o.report << "/after\n";
}

}  // namespace

void register_calibrate(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Calibrate a capsule for one location from a few examples recorded there.\n"
      "The capsule's int8 model (trained here or imported from TFLite) becomes a trainable\n"
      "network again; its head, last blocks or all layers are fine-tuned on SHOTS clips per\n"
      "class from the location's train split (plus augmented copies, and replayed base clips\n"
      "with --base-data), requantised, and written with the base as parent and the location\n"
      "recorded. Base and calibrated capsules are compared through the runtime on the\n"
      "location's held-out clips (split by speaker, voice or device). See docs/calibration.md.");
  cmd->add_option("base", o->job.base, "Base capsule")->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", o->job.data, "The location's dataset folder")->required();
  cmd->add_option("--location", o->job.location, "The location's name (recorded in the capsule)")
      ->required();
  cmd->add_option("-o,--output", o->job.output, "Capsule to write (default BASE-LOCATION.capsule)");
  cmd->add_option("--shots", o->job.shots, "Training clips per class from the location")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--mode", o->job.mode,
                  "What learns: head (the classifier), partial (the last third of the layers), full, "
                  "or auto (each, keeping the best on the location's validation clips)")
      ->capture_default_str()
      ->check(CLI::IsMember({"head", "partial", "full", "auto"}));
  cmd->add_option("--features", o->job.features,
                  "A block YAML file: recalibrate the model to this DSP block")
      ->check(CLI::ExistingFile);
  cmd->add_option("--base-data", o->job.base_data,
                  "The base model's dataset: replay its clips so the model does not forget");
  cmd->add_option("--replay", o->job.replay_per_class,
                  "Base clips replayed per class (default 2 x shots)");
  cmd->add_option("--noise", o->job.noise,
                  "Background noise for augmentation and a generated _silence_ class");
  cmd->add_flag("--extend-labels", o->job.extend_labels,
                "Location labels the model does not have become new classes (else _unknown_)");
  cmd->add_option("--manifest", o->job.manifest, "Manifest of the location's data");
  cmd->add_option("--variants", o->job.variants, "Augmented copies per shot")->capture_default_str();
  cmd->add_option("--epochs", o->job.epochs, "Most epochs per mode")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--validation-share", o->job.validation_share,
                  "Share of the location's groups for validation (data without splits)")
      ->capture_default_str();
  cmd->add_option("--test-share", o->job.test_share,
                  "Share of the location's groups held out for the report")
      ->capture_default_str();
  cmd->add_option("--seed", o->job.seed, "Seed for splits, shots and augmentation")
      ->capture_default_str();
  cmd->add_option("--sequence", o->job.sequence, "Capsule sequence number (default: base + 1)");
  cmd->add_option("--cache", o->job.cache_dir, "Feature cache folder");
  cmd->add_option("--report", o->report,
                  "Write HTML reports with confusion matrices (DIR/before, DIR/after)");
  cmd->add_flag("--json", o->json, "Print the summary as JSON (no progress output)");
  cmd->callback([o] { run_calibrate(*o); });
}

}  // namespace locus::cli
