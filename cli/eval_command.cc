// locus eval: a capsule on a labelled dataset, through the runtime's
// Pipeline exactly as a device runs it.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "host/common/error.h"
#include "host/dataset/dataset.h"
#include "host/evaluation/capsule_evaluator.h"
#include "host/evaluation/report.h"
#include "host/store/capsule_store.h"

namespace locus::cli {
namespace {

struct EvalArgs {
  std::string capsule;
  std::string data;
  std::string manifest;
  std::string split;
  uint64_t split_seed = 0;
  double validation_share = 0.1;
  double test_share = 0.1;
  bool json = false;
  std::string report;
  std::vector<std::string> anomalous_labels;
  int threads = 2;
};

// Progress on stderr: one updating line on a terminal, every tenth otherwise.
void show_progress(size_t done, size_t total) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  if (tty) {
    std::cerr << "\reval: " << done << "/" << total << std::flush;
    if (done == total) std::cerr << "\n";
    return;
  }
  if (done == total || (total >= 10 && done % (total / 10) == 0)) {
    std::cerr << "eval: " << done << "/" << total << "\n";
  }
}

void run(const EvalArgs& a) {
  const host::CapsuleSource source = host::load_capsule_source(a.capsule);
  host::DatasetOptions dataset_options;
  dataset_options.manifest = a.manifest;
  host::Dataset dataset = host::load_dataset(a.data, dataset_options);

  std::vector<host::Sample> samples;
  if (a.split.empty()) {
    samples = dataset.samples;
  } else {
    if (a.split != host::kTrainSplit && a.split != host::kValidationSplit &&
        a.split != host::kTestSplit) {
      host::fail("--split: '", a.split, "' is not one of train, validation, test");
    }
    // Samples without a manifest split get the same split `locus train`
    // gives them for this seed.
    const bool unassigned = std::any_of(dataset.samples.begin(), dataset.samples.end(),
                                        [](const host::Sample& s) { return s.split.empty(); });
    if (unassigned) {
      host::SplitOptions split_options;
      split_options.seed = a.split_seed;
      split_options.validation_share = a.validation_share;
      split_options.test_share = a.test_share;
      host::assign_splits(dataset, split_options);
    }
    for (const host::Sample* s : dataset.split(a.split)) samples.push_back(*s);
    if (samples.empty()) host::fail(a.data, ": the ", a.split, " split has no samples");
  }

  host::EvalOptions options;
  options.threads = a.threads;
  options.anomalous_labels = a.anomalous_labels;
  options.progress = show_progress;
  const host::EvalResult result =
      host::evaluate_capsule(source.bytes, samples, options, source.origin);

  host::EvalContext context;
  context.capsule_origin = source.origin;
  context.data_dir = dataset.root;
  context.manifest = a.manifest;
  context.split = a.split;
  context.split_seed = a.split_seed;
  context.dataset_samples = dataset.samples.size();
  if (a.json) {  // the text report lists them itself
    for (const host::SampleError& e : result.errors) std::cerr << "locus: error: " << e.message << "\n";
    for (const std::string& w : result.warnings) std::cerr << "locus: warning: " << w << "\n";
  }
  if (!a.report.empty()) {
    const std::vector<std::string> files = host::write_report(a.report, result, context);
    std::cerr << "report: " << a.report << "/index.html (" << files.size() << " files)\n";
  }
  if (a.json) {
    std::cout << host::report_json(result, context).dump(2) << "\n";
  } else {
    std::cout << host::render_text(result, context);
  }
  if (result.predictions.empty()) {
    host::fail(a.data, ": no sample could be evaluated (", result.errors.size(), " errors, ",
               samples.size() - result.errors.size(), " skipped)");
  }
}

}  // namespace

void register_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Evaluate a capsule on a labelled dataset exactly as a device runs it: every clip goes\n"
      "through the runtime's Pipeline (the capsule's own DSP block and int8 graph).\n"
      "Classifiers: each clip is fitted to the capsule's window and the prediction is the\n"
      "argmax of the dequantised scores of the inference covering it; prints accuracy, the\n"
      "confusion matrix and per-class precision/recall/F1. Anomaly capsules: each clip's\n"
      "score is the mean anomaly score over its windows; prints ROC AUC and partial AUC.\n"
      "Also reports latency per inference, RAM (pipeline memory, graph arena) and flash.\n"
      "Dataset labels the capsule does not know are skipped and listed; unreadable files\n"
      "are reported and counted as errors, and the evaluation goes on.");
  cmd->add_option("capsule", a->capsule,
                  "A .capsule file, or a store reference (NAME:TAG, NAME or digest prefix)")
      ->required();
  cmd->add_option("-d,--data", a->data,
                  "Dataset folder: ROOT/LABEL/FILE (Speech Commands style), or with a\n"
                  "manifest.csv / manifest.jsonl")
      ->required();
  cmd->add_option("--manifest", a->manifest,
                  "Manifest file (CSV or JSON lines: path, label, optional split, group, ...)");
  cmd->add_option("--split", a->split,
                  "Evaluate only this split (train, validation or test); samples without a\n"
                  "manifest split are assigned by speaker/device as 'locus train' does");
  cmd->add_option("--split-seed", a->split_seed, "Seed of that assignment (default 0)");
  cmd->add_option("--validation-share", a->validation_share,
                  "Validation share of that assignment (train.split.validation)")
      ->capture_default_str();
  cmd->add_option("--test-share", a->test_share, "Test share of that assignment (train.split.test)")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the full result (metrics, predictions) as JSON");
  cmd->add_option("--report", a->report,
                  "Write DIR/index.html (self-contained), report.json, confusion.svg,\n"
                  "confusion.png and, for anomaly capsules, roc.svg");
  cmd->add_option("--anomalous-labels", a->anomalous_labels,
                  "Anomaly capsules: dataset labels that mean anomalous (default: labels\n"
                  "starting with 'anomal' or 'abnormal')")
      ->delimiter(',');
  cmd->add_option("-j,--threads", a->threads, "Worker threads, each with its own pipeline")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->callback([a] { run(*a); });
}

}  // namespace locus::cli
