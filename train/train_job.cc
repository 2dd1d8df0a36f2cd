#include "train/train_job.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <nlohmann/json.hpp>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"
#include "host/dataset/data_stats.h"
#include "host/dataset/dataset.h"
#include "host/evaluation/metrics.h"
#include "host/features/yaml_fields.h"
#include "host/quantize/model_quantizer.h"
#include "host/training_data/training_set.h"
#include "train/models/kmeans.h"
#include "train/models/model_zoo.h"
#include "train/feature_windows.h"
#include "train/quantization_aware.h"
#include "train/train_settings.h"

namespace locus::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void say(bool on, const std::string& text) {
  if (on) std::fprintf(stderr, "%s\n", text.c_str());
}

// Keeps at most `n` clips per (label, split), the first in path order, so a
// small run sees the same clips every time.
void cap_per_class(host::Dataset& dataset, int32_t n) {
  if (n <= 0) return;
  std::map<std::pair<std::string, std::string>, int32_t> seen;
  std::vector<host::Sample> kept;
  for (auto& s : dataset.samples) {
    if (++seen[{s.label, s.split}] <= n) kept.push_back(std::move(s));
  }
  dataset.samples = std::move(kept);
}

// One set of examples and where its rows come from.
struct ExampleSet {
  std::vector<host::TrainingExample> examples;
  SplitSummary summary;
};

ExampleSet classifier_set(const host::Dataset& dataset, const std::vector<std::string>& labels,
                          const std::string& split, uint32_t variants, const TrainSettings& s,
                          bool have_noise, std::vector<std::string>& warnings,
                          bool whole_split = false) {
  host::TrainingSetOptions o;
  o.labels = labels;
  o.split = split;
  o.augment_variants = variants;
  o.whole_split = whole_split;
  o.unknown_share = s.unknown_share;
  o.silence_share = s.silence_share;
  // Validation and test silence must differ from the training silence.
  o.seed = s.optimizer.seed + (split == host::kTrainSplit ? 0 : split == host::kTestSplit ? 2 : 1);
  host::TrainingSet set = host::compose_training_set(dataset, o, have_noise);
  for (auto& w : set.warnings) warnings.push_back(split + ": " + w);
  ExampleSet result;
  result.examples = std::move(set.examples);
  result.summary.examples = result.examples.size();
  result.summary.per_label = set.counts_per_label;
  for (const auto& e : result.examples) result.summary.clips += e.source != nullptr && e.variant == 0;
  return result;
}

// Anomaly models learn from normal clips only; evaluation sees both.
ExampleSet anomaly_set(const host::Dataset& dataset, const std::string& split,
                       const TrainSettings& s, bool normal_only) {
  ExampleSet result;
  result.summary.per_label = {0, 0};
  for (const host::Sample* sample : dataset.split(split)) {
    const bool anomalous = is_anomalous_label(sample->label, s.anomalous_labels);
    if (normal_only && anomalous) continue;
    result.examples.push_back({sample, anomalous ? 1 : 0, 0});
    ++result.summary.per_label[anomalous ? 1 : 0];
  }
  result.summary.clips = result.examples.size();
  return result;
}

// Clip score = mean window error; AUC of anomalous vs normal clips.
double clip_auc(const std::vector<double>& window_scores, const std::vector<int64_t>& origin,
                const std::vector<host::TrainingExample>& examples) {
  std::vector<double> sum(examples.size(), 0.0);
  std::vector<int64_t> count(examples.size(), 0);
  for (size_t i = 0; i < window_scores.size(); ++i) {
    sum[static_cast<size_t>(origin[i])] += window_scores[i];
    ++count[static_cast<size_t>(origin[i])];
  }
  std::vector<double> scores;
  std::vector<bool> positive;
  for (size_t i = 0; i < examples.size(); ++i) {
    if (count[i] == 0) continue;
    scores.push_back(sum[i] / double(count[i]));
    positive.push_back(examples[i].label == 1);
  }
  const auto normals = std::count(positive.begin(), positive.end(), false);
  if (normals == 0 || normals == static_cast<long>(positive.size())) return NAN;
  return host::roc_auc(host::roc_curve(scores, positive));
}

std::vector<double> window_errors(const torch::Tensor& reconstruction, const torch::Tensor& x) {
  const torch::Tensor e = (reconstruction - x).pow(2).flatten(1).mean(1).to(torch::kFloat64).contiguous();
  return std::vector<double>(e.data_ptr<double>(), e.data_ptr<double>() + e.numel());
}

// What a checkpoint must match to be resumed: the model, the training
// settings, the feature block and the exact training windows.
std::string fingerprint_of(const host::PipelineFile& p, const TensorSet& train) {
  std::string text = YAML::Dump(p.model.node) + "\n" + YAML::Dump(p.train) + "\n";
  for (const auto& f : p.features) text += YAML::Dump(f) + "\n";
  const torch::Tensor x = train.x.contiguous();
  const host::Sha256 digest =
      host::sha256(reinterpret_cast<const uint8_t*>(x.data_ptr<float>()), x.numel() * sizeof(float));
  const torch::Tensor y = train.y.defined() ? train.y.contiguous() : torch::zeros({1}, torch::kInt64);
  const host::Sha256 labels =
      host::sha256(reinterpret_cast<const uint8_t*>(y.data_ptr<int64_t>()), y.numel() * sizeof(int64_t));
  return text + host::to_hex(digest.data(), digest.size()) + host::to_hex(labels.data(), labels.size());
}

std::string percent_or_value(double v, bool anomaly) {
  char text[32];
  std::snprintf(text, sizeof text, anomaly ? "%.5f" : "%.2f%%", anomaly ? v : 100 * v);
  return text;
}

// A quantised capsule and its figure on the validation windows through the
// runtime: accuracy for classifiers, mean reconstruction error for anomaly
// models.
struct CapsuleCheck {
  host::PipelineBuild build;
  double int8_validation = NAN;
};

CapsuleCheck quantize_and_check(const host::PipelineFile& p, const host::PipelineFeatures& chain,
                                const host::FloatModel& float_model,
                                const torch::Tensor& calibration,
                                const std::vector<host::TrainingExample>& train_examples,
                                const Windows& val_w, const torch::Tensor& val_y, bool anomaly,
                                const std::optional<host::FeatureQuantization>& quantization,
                                uint64_t sequence) {
  host::RangeObserver observer(float_model);
  for (int64_t i = 0; i < calibration.size(0); ++i) {
    const torch::Tensor x = calibration[i].contiguous();
    observer.observe({x.data_ptr<float>(), static_cast<size_t>(x.numel())});
  }
  const host::Graph graph = host::quantize_model(float_model, observer.ranges());

  // A float spectral block quantises its output for the int8 model on the
  // device: with the model input's calibrated scale and zero point.
  host::PipelineFile built = p;
  if (!quantization && chain.audio) {
    const host::TensorDef& in = graph.tensors.at(static_cast<size_t>(graph.inputs.at(0)));
    YAML::Node block = YAML::Clone(p.features[0]);
    YAML::Node params = block.begin()->second;
    params["quantize"]["scale"] = in.scale.at(0);
    params["quantize"]["zero_point"] = in.zero_point.at(0);
    built.features[0] = block;
  }

  // The capsule, through the same builder `locus build` uses.
  host::PipelineBuildOptions build_options;
  build_options.trained_model = &graph;
  build_options.sequence = sequence;
  build_options.producer = "locus train";
  for (const auto& e : train_examples) {
    if (e.source != nullptr && e.variant == 0 && build_options.data_files.size() < 200) {
      build_options.data_files.push_back(e.source->path);
    }
  }
  CapsuleCheck check;
  check.build = host::build_pipeline(built, build_options);
  const Task task = anomaly ? Task::kReconstruct : Task::kClassify;
  const auto scores = run_int8(check.build.bytes, val_w, quantization, task);
  check.int8_validation =
      anomaly ? std::accumulate(scores.begin(), scores.end(), 0.0) / double(scores.size())
              : accuracy_of(scores, val_y);
  return check;
}

}  // namespace

TrainJobResult run_train_job(const TrainJobOptions& options) {
  const auto t_start = Clock::now();
  const bool loud = options.show_progress;
  TrainJobResult result;
  const host::PipelineFile p = host::load_pipeline(options.pipeline);
  if (p.model.arch.empty()) {
    host::fail(host::yaml_position(p.path, p.model.mark),
               ": model: this pipeline imports its model; give 'arch: NAME' to train one "
               "(locus build packages imported models)");
  }
  TrainSettings s = parse_train_settings(p);
  if (!options.data.empty()) s.data = fs::absolute(options.data).string();
  if (!options.manifest.empty()) s.manifest = fs::absolute(options.manifest).string();
  if (!options.noise.empty()) s.noise = fs::absolute(options.noise).string();
  if (options.epochs > 0) s.optimizer.epochs = options.epochs;
  if (options.max_per_class >= 0) s.max_per_class = options.max_per_class;
  if (!options.qat_when.empty()) s.qat.when = options.qat_when;
  const ArchSpec arch = parse_arch(p.model.node, p.path);
  result.arch = arch.arch;
  result.task = arch_task(arch.arch);
  const bool anomaly = result.task == Task::kReconstruct;
  if (anomaly != (p.postprocess.kind == "anomaly")) {
    host::fail(host::yaml_position(p.path, p.model.mark), ": model.arch ", arch.arch,
               anomaly ? " is an anomaly model: set postprocess.kind: anomaly"
                       : " is a classifier: postprocess.kind anomaly needs autoencoder or kmeans");
  }
  if (!anomaly && p.model.labels.size() < 2) {
    host::fail(host::yaml_position(p.path, p.model.mark), ": model.labels: a classifier needs two "
               "or more labels");
  }
  if (s.data.empty()) {
    host::fail(p.path, ": no training data: set train.data in the pipeline or pass --data DIR");
  }
  host::PipelineFeatures chain = host::pipeline_features(p);
  const auto quantization = chain.block->output_quantization();
  result.labels = p.model.labels;

  // Output paths.
  result.capsule_path = options.output.empty() ? p.name + ".capsule" : options.output;
  result.work_dir = options.work_dir;
  if (result.work_dir.empty()) {
    fs::path base(result.capsule_path);
    result.work_dir = (base.parent_path() / (base.stem().string() + ".train")).string();
  }
  fs::create_directories(result.work_dir);

  // Data.
  say(loud, "data: " + s.data);
  host::DatasetOptions dataset_options;
  dataset_options.manifest = s.manifest;
  host::Dataset dataset = host::load_dataset(s.data, dataset_options);
  host::assign_splits(dataset, s.split);
  cap_per_class(dataset, s.max_per_class);
  if (chain.audio) {
    // Problems are found before any training: unreadable files stop it,
    // the rest (other sample rates, silent or clipped files) are warnings.
    host::DataStatsOptions stats_options;
    stats_options.expected_sample_rate = chain.block->sample_rate();
    const host::DataStats stats = host::compute_data_stats(dataset, stats_options);
    size_t shown = 0;
    for (const auto& problem : stats.problems) {
      const std::string text = std::string(host::data_problem_name(problem.kind)) + ": " +
                               (problem.path.empty() ? "" : problem.path + ": ") + problem.detail;
      if (problem.kind == host::DataProblemKind::kUnreadable) host::fail(text);
      if (problem.kind == host::DataProblemKind::kSampleRate) {
        result.warnings.push_back(text + " (resampled to " +
                                  std::to_string(chain.block->sample_rate()) + " Hz)");
      } else if (shown++ < 20) {
        result.warnings.push_back(text);
      }
    }
  }
  host::NoiseBank noise;
  if (!s.noise.empty()) {
    if (!chain.audio) host::fail(p.path, ": train.noise: only audio pipelines mix in noise");
    noise = host::load_noise_bank(s.noise, chain.block->sample_rate());
    say(loud, "noise: " + std::to_string(noise.recordings.size()) + " recordings from " + s.noise);
  }
  const bool have_noise = !noise.empty();
  if (!have_noise && s.variants > 0 && chain.audio && loud) {
    std::fprintf(stderr, "  (no train.noise: augmented copies get shift and gain only)\n");
  }
  ExampleSet train_set, val_set, test_set;
  if (anomaly) {
    train_set = anomaly_set(dataset, std::string(host::kTrainSplit), s, true);
    val_set = anomaly_set(dataset, std::string(host::kValidationSplit), s, true);
    test_set = anomaly_set(dataset, std::string(host::kTestSplit), s, false);
    if (train_set.examples.empty()) host::fail(s.data, ": no normal clips in the train split");
    if (val_set.examples.empty()) host::fail(s.data, ": no normal clips in the validation split");
  } else {
    const uint32_t variants = chain.audio ? s.variants : 0;
    train_set = classifier_set(dataset, p.model.labels, std::string(host::kTrainSplit), variants, s,
                               have_noise, result.warnings);
    val_set = classifier_set(dataset, p.model.labels, std::string(host::kValidationSplit), 0, s,
                             have_noise, result.warnings);
    // The test split is measured whole, as `locus eval` measures it: every
    // other word, only real silence, so float and int8 figures compare
    // directly with the capsule's evaluation.
    if (!dataset.split(host::kTestSplit).empty()) {
      test_set = classifier_set(dataset, p.model.labels, std::string(host::kTestSplit), 0, s,
                                have_noise, result.warnings, /*whole_split=*/true);
    }
  }
  for (const auto& w : result.warnings) say(loud, "warning: " + w);
  result.train = train_set.summary;
  result.validation = val_set.summary;
  result.test = test_set.summary;

  // Features, one call so the cache works on all of them in parallel.
  const auto t_features = Clock::now();
  std::vector<host::TrainingExample> all = train_set.examples;
  all.insert(all.end(), val_set.examples.begin(), val_set.examples.end());
  all.insert(all.end(), test_set.examples.begin(), test_set.examples.end());
  host::FeatureCacheOptions cache;
  cache.dir = options.cache_dir;
  cache.clip_samples = anomaly ? 0 : chain.window_samples;
  cache.augment = s.augment;
  cache.noise = have_noise ? &noise : nullptr;
  cache.seed = s.optimizer.seed;
  cache.threads = 2;
  if (loud) {
    cache.progress = [](size_t done, size_t total) {
      if (done == total || done % 64 == 0) {
        std::fprintf(stderr, "\r  features %zu/%zu", done, total);
        if (done == total) std::fprintf(stderr, "\n");
      }
    };
  }
  say(loud, "features: " + std::to_string(all.size()) + " clips with " + chain.block->kind());
  std::vector<host::FeatureMatrix> matrices =
      host::compute_features(p.features[0], p.path, all, cache, &result.cache);
  result.seconds_features = since(t_features);
  say(loud, "  " + std::to_string(result.cache.hits) + " from cache, " +
                std::to_string(result.cache.misses) + " computed");
  auto part = [&](size_t begin, size_t n) {
    return std::vector<host::FeatureMatrix>(matrices.begin() + static_cast<long>(begin),
                                            matrices.begin() + static_cast<long>(begin + n));
  };
  const auto frames = static_cast<int32_t>(chain.frames);
  const auto features = static_cast<int32_t>(chain.features);
  const int32_t step = anomaly ? 1 : std::numeric_limits<int32_t>::max();
  const size_t n_train = train_set.examples.size(), n_val = val_set.examples.size();
  Windows train_w = windows_of(part(0, n_train), frames, features, step, quantization);
  Windows val_w = windows_of(part(n_train, n_val), frames, features, step, quantization);
  Windows test_w = windows_of(part(n_train + n_val, test_set.examples.size()), frames, features,
                              step, quantization);
  matrices.clear();
  TensorSet train{train_w.x, anomaly ? torch::Tensor() : labels_of(train_set.examples, train_w.origin)};
  TensorSet val{val_w.x, anomaly ? torch::Tensor() : labels_of(val_set.examples, val_w.origin)};
  TensorSet test{test_w.x, anomaly ? torch::Tensor() : labels_of(test_set.examples, test_w.origin)};
  result.train.examples = static_cast<size_t>(train.size());
  result.validation.examples = static_cast<size_t>(val.size());
  result.test.examples = static_cast<size_t>(test.size());
  if (train.size() == 0) host::fail(s.data, ": no training window (clips shorter than the window?)");

  // Training.
  const auto t_train = Clock::now();
  torch::manual_seed(s.optimizer.seed);
  host::FloatModel float_model;
  const std::vector<int32_t> input_shape_2d = {1, frames * features};
  std::optional<host::AffineQuantization> input_q;
  if (quantization) input_q = host::AffineQuantization{quantization->scale, quantization->zero_point};
  std::shared_ptr<Network> net;
  KMeansModel kmeans;
  if (arch.arch == "kmeans") {
    say(loud, "kmeans: " + std::to_string(arch.clusters) + " clusters on " +
                  std::to_string(train.size()) + " windows");
    kmeans = fit_kmeans(train.x.flatten(1), {arch.clusters, 100, s.optimizer.seed});
    result.silhouette = silhouette(kmeans, train.x.flatten(1), 2000, s.optimizer.seed);
    float_model = export_kmeans(kmeans, input_shape_2d, input_q);
  } else {
    net = make_network(arch, frames, features, static_cast<int32_t>(p.model.labels.size()));
    int64_t parameters = 0;
    for (const auto& t : net->parameters()) parameters += t.numel();
    say(loud, "training " + arch.arch + " (" + std::to_string(parameters) + " parameters) on " +
                  std::to_string(train.size()) + " windows, validating on " +
                  std::to_string(val.size()));
    TrainLoopOptions loop;
    loop.settings = s.optimizer;
    loop.checkpoint = (fs::path(result.work_dir) / "checkpoint.pt").string();
    loop.resume = !options.fresh;
    loop.fingerprint = fingerprint_of(p, train);
    loop.show_progress = loud;
    result.outcome = fit(*net, train, val, loop);
    FloatModelBuilder builder(net->input_shape(frames, features), input_q);
    net->export_layers(builder);
    float_model = builder.finish();
  }
  result.seconds_training = since(t_train);

  // Float figures.
  auto float_scores = [&](const TensorSet& set) -> std::vector<double> {
    if (set.size() == 0) return {};
    if (net) return window_errors(evaluate_float(*net, set).outputs, set.x);
    const torch::Tensor d = nearest_distance(kmeans, set.x.flatten(1)) / double(frames * features);
    const torch::Tensor dd = d.to(torch::kFloat64).contiguous();
    return std::vector<double>(dd.data_ptr<double>(), dd.data_ptr<double>() + dd.numel());
  };
  if (!anomaly) {
    result.float_validation = evaluate_float(*net, val).accuracy;
    if (test.size() > 0) result.float_test = evaluate_float(*net, test).accuracy;
  } else {
    const auto v = float_scores(val);
    result.float_validation = v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
    result.float_test = clip_auc(float_scores(test), test_w.origin, test_set.examples);
  }

  // Quantisation: ranges from representative training windows (spread
  // evenly over the set, augmented copies included).
  const int64_t n_calibration = std::min<int64_t>(s.calibration_windows, train.size());
  std::vector<int64_t> calibration_rows;
  for (int64_t i = 0; i < n_calibration; ++i) calibration_rows.push_back(i * train.size() / n_calibration);
  const torch::Tensor calibration = train.x.index({torch::tensor(calibration_rows, torch::kInt64)});
  say(loud, "quantizing: int8 per-channel weights, activation ranges from " +
                std::to_string(n_calibration) + " training windows");
  CapsuleCheck ptq = quantize_and_check(p, chain, float_model, calibration, train_set.examples,
                                        val_w, val.y, anomaly, quantization, options.sequence);
  result.int8_validation = ptq.int8_validation;
  result.qat.post_training_int8_validation = ptq.int8_validation;

  // Quantisation-aware fine-tuning when post-training quantisation loses
  // too much (or when asked): the better capsule on validation is kept.
  const bool qat_possible = net && net->simulates_int8();
  const bool qat_wanted =
      s.qat.when == "always" ||
      (s.qat.when == "auto" && !anomaly &&
       result.float_validation - ptq.int8_validation > s.qat.max_loss);
  if (qat_wanted && !qat_possible) {
    result.warnings.push_back(arch.arch + " has no quantisation-aware fine-tuning");
  } else if (qat_wanted) {
    say(loud, "quantisation-aware fine-tuning (" + std::to_string(s.qat.epochs) +
                  " epochs): int8 validation " + percent_or_value(ptq.int8_validation, anomaly) +
                  " vs float " + percent_or_value(result.float_validation, anomaly));
    const auto t_qat = Clock::now();
    TrainLoopOptions loop;
    loop.settings = s.optimizer;
    loop.settings.epochs = s.qat.epochs;
    loop.settings.learning_rate = s.qat.learning_rate;
    loop.settings.warmup_epochs = 0;
    loop.settings.patience = s.qat.epochs;
    loop.checkpoint = (fs::path(result.work_dir) / "qat_checkpoint.pt").string();
    loop.resume = !options.fresh;
    loop.fingerprint = fingerprint_of(p, train) + "\nqat after epoch " +
                       std::to_string(result.outcome.best_epoch);
    loop.show_progress = loud;
    result.qat.ran = true;
    result.qat.outcome =
        fine_tune_quantization_aware(*net, train, val, calibration, quantization.has_value(), loop);
    FloatModelBuilder builder(net->input_shape(frames, features), input_q);
    net->export_layers(builder);
    CapsuleCheck aware = quantize_and_check(p, chain, builder.finish(), calibration,
                                            train_set.examples, val_w, val.y, anomaly,
                                            quantization, options.sequence);
    result.qat.int8_validation = aware.int8_validation;
    result.qat.seconds = since(t_qat);
    result.qat.kept = anomaly ? aware.int8_validation <= ptq.int8_validation
                              : aware.int8_validation >= ptq.int8_validation;
    if (result.qat.kept) {
      ptq = std::move(aware);
      result.int8_validation = ptq.int8_validation;
    }
    say(loud, std::string("  int8 validation after fine-tuning: ") +
                  percent_or_value(result.qat.int8_validation, anomaly) +
                  (result.qat.kept ? " (kept)" : " (post-training capsule kept)"));
  }
  result.build = std::move(ptq.build);
  result.capsule = result.build.bytes;

  // The int8 capsule through the runtime, on the test windows.
  if (test.size() > 0) {
    say(loud, "checking the int8 capsule on the test split through the runtime");
    const auto scores = run_int8(result.capsule, test_w, quantization, result.task);
    result.int8_test = anomaly ? clip_auc(scores, test_w.origin, test_set.examples)
                               : accuracy_of(scores, test.y);
  }
  host::write_file_atomic(result.capsule_path, result.capsule);
  result.seconds_total = since(t_start);
  const std::string summary = train_summary_json(result).dump(2) + "\n";
  host::write_file_atomic((fs::path(result.work_dir) / "training.json").string(),
                          {reinterpret_cast<const uint8_t*>(summary.data()), summary.size()});
  return result;
}

nlohmann::json train_summary_json(const TrainJobResult& r) {
  auto number = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
  auto split = [](const SplitSummary& s) {
    return nlohmann::json{{"clips", s.clips}, {"examples", s.examples}, {"per_label", s.per_label}};
  };
  const bool anomaly = r.task == Task::kReconstruct;
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : r.outcome.history) {
    history.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"accuracy", e.accuracy},
                       {"val_loss", e.val_loss}, {"val_accuracy", e.val_accuracy},
                       {"learning_rate", e.learning_rate}, {"seconds", e.seconds}});
  }
  return {
      {"capsule", r.capsule_path},
      {"capsule_bytes", r.capsule.size()},
      {"arena_bytes", r.build.plan.arena_bytes},
      {"arch", r.arch},
      {"labels", r.labels},
      {"metric", anomaly ? "auc" : "accuracy"},
      {"float", {{"validation", number(r.float_validation)}, {"test", number(r.float_test)}}},
      {"int8", {{"validation", number(r.int8_validation)}, {"test", number(r.int8_test)}}},
      {"silhouette", number(r.silhouette)},
      {"quantization",
       {{"method", r.qat.ran && r.qat.kept ? "quantization-aware" : "post-training"},
        {"post_training_int8_validation", number(r.qat.post_training_int8_validation)},
        {"aware_fine_tuning",
         r.qat.ran ? nlohmann::json{{"epochs", r.qat.outcome.history.size()},
                                    {"best_epoch", r.qat.outcome.best_epoch},
                                    {"int8_validation", number(r.qat.int8_validation)},
                                    {"kept", r.qat.kept},
                                    {"seconds", r.qat.seconds}}
                   : nlohmann::json()}}},
      {"splits", {{"train", split(r.train)}, {"validation", split(r.validation)},
                  {"test", split(r.test)}}},
      {"best_epoch", r.outcome.best_epoch},
      {"stopped_early", r.outcome.stopped_early},
      {"resumed_from_epoch", r.outcome.resumed_from_epoch},
      {"history", history},
      {"feature_cache", {{"hits", r.cache.hits}, {"misses", r.cache.misses}}},
      {"seconds", {{"features", r.seconds_features}, {"training", r.seconds_training},
                   {"total", r.seconds_total}}},
      {"warnings", r.warnings},
  };
}

}  // namespace locus::train
