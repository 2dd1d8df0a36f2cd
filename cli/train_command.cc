// locus train: a pipeline file and a dataset to a trained int8 capsule.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "train/train_job.h"

namespace locus::cli {
namespace {

struct TrainOptions {
  train::TrainJobOptions job;
  std::string sign;
  std::string tag;
  bool json = false;
};

std::string percent(double v) {
  if (std::isnan(v)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * v);
  return text;
}

std::string plain(double v) {
  if (std::isnan(v)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", v);
  return text;
}

void run_train(TrainOptions& o) {
  o.job.show_progress = !o.json;
  train::TrainJobResult r = train::run_train_job(o.job);
  if (!o.sign.empty()) {
    r.capsule = sign_for_build(o.sign, r.capsule);
    host::write_file_atomic(r.capsule_path, r.capsule);
  }
  std::string stored;
  if (!o.tag.empty()) stored = store_for_build(o.tag, r.capsule);
  if (o.json) {
    nlohmann::json j = train::train_summary_json(r);
    j["signed"] = !o.sign.empty();
    if (!stored.empty()) j["stored"] = stored;
    std::cout << j.dump(2) << "\n";
    return;
  }
  const bool anomaly = r.task == train::Task::kReconstruct;
  auto show = anomaly ? plain : percent;
  std::cout << "\n" << r.capsule_path << ": " << r.capsule.size() << " bytes, arena "
            << r.build.plan.arena_bytes << " bytes, " << r.arch << "\n";
  std::cout << "  data: " << r.train.clips << " train / " << r.validation.clips << " validation / "
            << r.test.clips << " test clips (" << r.train.examples << " training windows)\n";
  if (!r.outcome.history.empty()) {
    std::cout << "  best epoch " << r.outcome.best_epoch << " of " << r.outcome.history.size()
              << (r.outcome.stopped_early ? " (stopped early)" : "") << "\n";
  }
  if (!std::isnan(r.silhouette)) std::cout << "  silhouette " << plain(r.silhouette) << "\n";
  const char* metric = anomaly ? "validation error / test AUC" : "accuracy";
  std::cout << "  " << metric << "      validation   test\n";
  std::cout << "    float            " << show(r.float_validation) << "   "
            << (anomaly ? plain(r.float_test) : percent(r.float_test)) << "\n";
  std::cout << "    int8 (runtime)   " << show(r.int8_validation) << "   "
            << (anomaly ? plain(r.int8_test) : percent(r.int8_test)) << "\n";
  if (r.qat.ran) {
    std::cout << "  quantisation-aware fine-tuning: " << r.qat.outcome.history.size()
              << " epochs, int8 validation " << show(r.qat.int8_validation)
              << (r.qat.kept ? " (kept)" : " (not better: post-training capsule kept)") << "\n";
  }
  if (!anomaly && !std::isnan(r.float_test) && r.float_test - r.int8_test > 0.01) {
    std::cout << "  warning: int8 loses " << percent(r.float_test - r.int8_test)
              << " on the test split (more than one point)\n";
  }
  std::cout << "  time: " << plain(r.seconds_features) << " s features, "
            << plain(r.seconds_training) << " s training, " << plain(r.seconds_total)
            << " s in all\n";
  std::cout << "  details: " << r.work_dir << "/training.json\n";
  if (!stored.empty()) std::cout << "  stored as " << stored << "\n";
}

}  // namespace

void register_train(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  o->job.pipeline = "locus.yml";
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the model a pipeline file names (model.arch) on a dataset and write an int8 capsule.\n"
      "Features come from the pipeline's own DSP block (cached on disk, computed on both cores);\n"
      "the data is split by speaker or device; training stops early on the validation split and\n"
      "can be resumed; the result is quantized (per-channel int8, with quantisation-aware\n"
      "fine-tuning when that loses accuracy) and checked through the runtime against the float model.\n"
      " Settings live in the pipeline's train: section (docs/training.md).");
  cmd->add_option("-f,--file", o->job.pipeline, "Pipeline file")->capture_default_str();
  cmd->add_option("--data", o->job.data, "Dataset folder (overrides train.data)");
  cmd->add_option("--manifest", o->job.manifest, "Manifest CSV or JSON lines (overrides train.manifest)");
  cmd->add_option("--noise", o->job.noise, "Background noise folder for augmentation (overrides train.noise)");
  cmd->add_option("-o,--output", o->job.output, "Capsule to write (default NAME.capsule)");
  cmd->add_option("--work-dir", o->job.work_dir,
                  "Checkpoint and training.json (default OUTPUT without .capsule, plus .train)");
  cmd->add_option("--cache", o->job.cache_dir, "Feature cache folder (default $LOCUS_HOME/cache/features)");
  cmd->add_option("--epochs", o->job.epochs, "Override train.epochs")->check(CLI::Range(1, 10000));
  cmd->add_option("--max-per-class", o->job.max_per_class,
                  "Use at most N clips per label and split (quick runs)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sequence", o->job.sequence, "Capsule sequence number")->capture_default_str();
  cmd->add_option("--qat", o->job.qat_when,
                  "Quantisation-aware fine-tuning: auto (when int8 loses more than train.qat.max_loss "
                  "on validation), always or never (overrides train.qat.when)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--fresh", o->job.fresh, "Ignore an existing checkpoint and start over");
  cmd->add_option("--sign", o->sign, "Sign the capsule with this key (see locus keys)");
  cmd->add_option("-t,--tag", o->tag, "Store the capsule under NAME:TAG (see locus ls)");
  cmd->add_flag("--json", o->json, "Print the summary as JSON (no progress output)");
  cmd->callback([o] { run_train(*o); });
}

}  // namespace locus::cli
