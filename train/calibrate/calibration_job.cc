#include "train/calibrate/calibration_job.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>

#include <yaml-cpp/yaml.h>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/dataset/dataset.h"
#include "host/quantize/model_quantizer.h"
#include "host/training_data/augment.h"
#include "host/training_data/feature_cache.h"
#include "train/feature_windows.h"
#include "train/nn/graph_network.h"
#include "train/trainer.h"

namespace locus::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using host::fail;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void say(bool on, const std::string& text) {
  if (on) std::fprintf(stderr, "%s\n", text.c_str());
}

int32_t index_of(const std::vector<std::string>& labels, const std::string& label) {
  const auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : static_cast<int32_t>(it - labels.begin());
}

// A location's label as a model class: its own name first, then
// model_label_index's mapping (other words to _unknown_).
int32_t class_of(const std::string& label, const std::vector<std::string>& labels) {
  const int32_t exact = index_of(labels, label);
  return exact >= 0 ? exact : host::model_label_index(label, labels);
}

// Up to `n` samples of each class from `pool`, chosen by seed (the same
// clips on every machine), returned in path order.
std::vector<std::vector<const host::Sample*>> choose_per_class(
    const std::vector<const host::Sample*>& pool, const std::vector<std::string>& labels,
    size_t n, uint64_t seed, const std::string& root) {
  std::vector<std::vector<std::pair<uint64_t, const host::Sample*>>> ranked(labels.size());
  for (const host::Sample* s : pool) {
    const int32_t c = class_of(s->label, labels);
    if (c < 0) continue;
    const std::string relative = s->path.rfind(root, 0) == 0 ? s->path.substr(root.size()) : s->path;
    ranked[static_cast<size_t>(c)].emplace_back(host::derive_seed(seed, relative, 0), s);
  }
  std::vector<std::vector<const host::Sample*>> chosen(labels.size());
  for (size_t c = 0; c < labels.size(); ++c) {
    auto& r = ranked[c];
    std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second->path < b.second->path;
    });
    for (size_t i = 0; i < r.size() && i < n; ++i) chosen[c].push_back(r[i].second);
    std::sort(chosen[c].begin(), chosen[c].end(),
              [](const auto* a, const auto* b) { return a->path < b->path; });
  }
  return chosen;
}

struct Candidate {
  std::shared_ptr<GraphNetwork> net;
  ModeTrial trial;
  std::vector<uint8_t> capsule;
};

// Layers that learn in each mode; 0 means all of them.
size_t layers_for(const std::string& mode, size_t weighted) {
  if (mode == "head") return 1;
  if (mode == "partial") return std::max<size_t>(2, weighted / 3);
  return 0;
}

}  // namespace

CalibrationResult run_calibration(const CalibrationOptions& o) {
  const auto t_start = Clock::now();
  const bool loud = o.show_progress;
  CalibrationResult result;
  if (o.location.empty()) fail("calibrate: give the location's name (--location)");
  if (o.data.empty()) fail("calibrate: give the location's data (--data DIR)");
  if (o.shots < 1) fail("calibrate: --shots must be 1 or more, got ", o.shots);
  if (o.mode != "head" && o.mode != "partial" && o.mode != "full" && o.mode != "auto") {
    fail("calibrate: --mode must be head, partial, full or auto, got '", o.mode, "'");
  }
  result.location = o.location;

  // The base capsule.
  const host::LoadedCapsule base = host::load_capsule(o.base);
  const schema::CapsuleBody& body = *base.capsule.body();
  if (body.input() == nullptr || body.dsp() == nullptr || body.dsp()->size() != 1 ||
      body.feature_window() == nullptr || body.labels() == nullptr) {
    fail(o.base, ": calibration needs a pipeline capsule (input, one DSP block, labels)");
  }
  if (body.postprocess() && body.postprocess()->kind() == schema::PostProcessKind::Anomaly) {
    fail(o.base, ": an anomaly capsule; calibration of anomaly models is not supported yet");
  }
  const host::Sha256 parent = host::sha256(base.capsule.body_bytes(), base.capsule.body_size());
  result.parent_digest = host::to_hex(parent.data(), parent.size());
  std::vector<std::string> labels;
  for (const auto* l : *body.labels()) labels.push_back(l->str());
  const size_t base_classes = labels.size();

  // The feature block: the capsule's own, or a new one.
  std::unique_ptr<schema::DspBlockT> capsule_block(body.dsp()->Get(0)->UnPack());
  const uint32_t base_rate = body.input()->sample_rate_hz();
  const host::FeatureBlockSource source =
      o.features.empty()
          ? host::FeatureBlockSource(*capsule_block, base_rate, o.base)
          : host::FeatureBlockSource(
                [&] {
                  try {
                    return YAML::LoadFile(o.features);
                  } catch (const YAML::Exception& e) {
                    fail(o.features, ": ", e.what());
                  }
                }(),
                o.features);
  const std::unique_ptr<host::FeatureBlock> block = source.make();
  const auto quantization = block->output_quantization();
  const auto frames = static_cast<int32_t>(body.feature_window()->frames());
  const auto features = static_cast<int32_t>(body.feature_window()->features());
  if (!quantization) {
    fail(source.where(), ": ", block->kind(), " gives ", host::feature_type_name(block->output_type()),
         " features; the model takes int8 (give the block int8 output or `quantize`)");
  }
  if (block->features_per_frame() != features) {
    fail(source.where(), ": ", block->kind(), " gives ", block->features_per_frame(),
         " features per frame; the model takes ", features);
  }
  if (!o.features.empty() && !block->host_options().empty()) {
    fail(source.where(), ": options a capsule cannot carry (", block->host_options(), ")");
  }
  const uint32_t rate = block->sample_rate();
  const uint32_t window_samples =
      static_cast<uint32_t>(uint64_t{body.input()->window_ms()} * rate / 1000);

  // The location's data, split by group.
  say(loud, "location " + o.location + ": " + o.data);
  host::DatasetOptions dataset_options;
  dataset_options.manifest = o.manifest;
  host::Dataset location = host::load_dataset(o.data, dataset_options);
  host::SplitOptions split;
  split.validation_share = o.validation_share;
  split.test_share = o.test_share;
  split.seed = o.seed;
  host::assign_splits(location, split);

  // Labels: new classes when asked; otherwise other words are _unknown_.
  std::vector<int32_t> keep;
  if (o.extend_labels) {
    for (const std::string& label : location.labels()) {
      if (index_of(labels, label) < 0 && label != host::kUnknownLabel &&
          label != host::kSilenceLabel) {
        labels.push_back(label);
        result.added_labels.push_back(label);
      }
    }
  }
  for (size_t i = 0; i < labels.size(); ++i) keep.push_back(i < base_classes ? int32_t(i) : -1);
  result.labels = labels;

  // Shots, validation and held-out clips.
  const std::string root = location.root + "/";
  const auto shots = choose_per_class(location.split(host::kTrainSplit), labels,
                                      static_cast<size_t>(o.shots), o.seed, root);
  host::NoiseBank noise;
  if (!o.noise.empty()) noise = host::load_noise_bank(o.noise, rate);
  std::vector<std::vector<const host::Sample*>> replay(labels.size());
  size_t replay_n = o.replay_per_class < 0 ? 2 * static_cast<size_t>(o.shots)
                                           : static_cast<size_t>(o.replay_per_class);
  host::Dataset base_data;
  if (!o.base_data.empty() && replay_n > 0) {
    base_data = host::load_dataset(o.base_data);
    host::assign_splits(base_data, host::SplitOptions{});
    replay = choose_per_class(base_data.split(host::kTrainSplit), labels, replay_n, o.seed,
                              base_data.root + "/");
  }
  const int32_t silence = index_of(labels, std::string(host::kSilenceLabel));
  std::vector<std::string> missing, short_classes;
  for (size_t c = 0; c < labels.size(); ++c) {
    const size_t have = shots[c].size();
    if (have == 0 && replay[c].empty() && !(int32_t(c) == silence && !noise.empty())) {
      missing.push_back(labels[c]);
    } else if (have > 0 && have < static_cast<size_t>(o.shots)) {
      short_classes.push_back(labels[c] + " (" + std::to_string(have) + ")");
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    fail(o.data, ": no clips for model label", missing.size() > 1 ? "s " : " ", list,
         " in the location's train split; record some, replay the base data (--base-data)",
         silence >= 0 ? " or give background noise (--noise) for _silence_" : "");
  }
  if (!short_classes.empty()) {
    std::string list;
    for (const auto& m : short_classes) list += (list.empty() ? "" : ", ") + m;
    fail(o.data, ": fewer than ", o.shots, " clips in the location's train split for ", list,
         "; lower --shots or record more");
  }

  std::vector<host::TrainingExample> train_examples, val_examples;
  host::Sha256 data_digest{};
  std::string digests;
  for (size_t c = 0; c < labels.size(); ++c) {
    for (const host::Sample* s : shots[c]) {
      for (uint32_t v = 0; v <= o.variants; ++v) {
        train_examples.push_back({s, static_cast<int32_t>(c), v});
      }
      const host::AlignedBuffer bytes = host::read_file(s->path);
      const host::Sha256 d = host::sha256(bytes.data(), bytes.size());
      digests.append(reinterpret_cast<const char*>(d.data()), d.size());
      ++result.shots;
      result.augmented += o.variants;
    }
    for (const host::Sample* s : replay[c]) {
      train_examples.push_back({s, static_cast<int32_t>(c), 0});
      ++result.replayed;
    }
  }
  data_digest = host::sha256(reinterpret_cast<const uint8_t*>(digests.data()), digests.size());
  if (silence >= 0 && shots[static_cast<size_t>(silence)].empty() && !noise.empty()) {
    const size_t n = static_cast<size_t>(o.shots) * (1 + o.variants);
    for (size_t g = 0; g < n; ++g) {
      train_examples.push_back({nullptr, silence, static_cast<uint32_t>(g)});
    }
    result.generated_silence = n;
  }
  for (const host::Sample* s : location.split(host::kValidationSplit)) {
    const int32_t c = class_of(s->label, labels);
    if (c >= 0) val_examples.push_back({s, c, 0});
  }
  std::vector<host::Sample> held_out;
  for (const host::Sample* s : location.split(host::kTestSplit)) held_out.push_back(*s);
  if (held_out.empty()) fail(o.data, ": no clips in the location's test split to check on");
  if (val_examples.empty()) {
    result.warnings.push_back("no validation clips at the location: modes are compared on the shots");
  }
  result.validation_clips = val_examples.size();

  // Features.
  const auto t_features = Clock::now();
  std::vector<host::TrainingExample> all = train_examples;
  all.insert(all.end(), val_examples.begin(), val_examples.end());
  host::FeatureCacheOptions cache;
  cache.dir = o.cache_dir;
  cache.clip_samples = window_samples;
  cache.noise = noise.empty() ? nullptr : &noise;
  cache.seed = o.seed;
  cache.threads = 2;
  if (loud) {
    cache.progress = [](size_t done, size_t total) {
      if (done == total || done % 64 == 0) {
        std::fprintf(stderr, "\r  features %zu/%zu", done, total);
        if (done == total) std::fprintf(stderr, "\n");
      }
    };
  }
  say(loud, "features: " + std::to_string(all.size()) + " clips with " + block->kind());
  std::vector<host::FeatureMatrix> matrices = host::compute_features(source, all, cache);
  result.seconds_features = since(t_features);
  const std::vector<host::FeatureMatrix> train_m(matrices.begin(),
                                                 matrices.begin() + long(train_examples.size()));
  const std::vector<host::FeatureMatrix> val_m(matrices.begin() + long(train_examples.size()),
                                               matrices.end());
  const int32_t whole = std::numeric_limits<int32_t>::max();
  const Windows train_w = windows_of(train_m, frames, features, whole, quantization);
  const TensorSet train{train_w.x, labels_of(train_examples, train_w.origin)};
  Windows val_w = val_examples.empty() ? train_w
                                       : windows_of(val_m, frames, features, whole, quantization);
  const TensorSet val{val_w.x, val_examples.empty() ? train.y : labels_of(val_examples, val_w.origin)};

  // A capsule from a network: requantised, the base's description kept.
  const host::AffineQuantization input_q{quantization->scale, quantization->zero_point};
  auto build = [&](GraphNetwork& net, const std::string& mode, size_t layers) {
    FloatModelBuilder builder(net.input_shape(frames, features), input_q);
    net.export_layers(builder);
    const host::FloatModel model = builder.finish();
    host::RangeObserver observer(model);
    const int64_t n = std::min<int64_t>(400, train.size());
    for (int64_t i = 0; i < n; ++i) {
      const torch::Tensor x = train.x[i * train.size() / n].contiguous();
      observer.observe({x.data_ptr<float>(), static_cast<size_t>(x.numel())});
    }
    host::CapsuleSpec spec = host::spec_from_capsule(body);
    spec.graph = host::quantize_model(model, observer.ranges());
    spec.labels = labels;
    spec.identity.sequence = o.sequence > 0 ? o.sequence : body.identity()->sequence() + 1;
    spec.identity.parent_digest.assign(parent.begin(), parent.end());
    spec.identity.location = o.location;
    spec.identity.producer = "locus calibrate";
    spec.identity.created_unix = static_cast<int64_t>(std::time(nullptr));
    if (!o.features.empty()) {
      spec.dsp = {block->to_capsule()};
      spec.input->sample_rate_hz = rate;
      spec.feature_mean.clear();  // statistics of the old block's features
      spec.feature_variance.clear();
    }
    schema::CalibrationRecordT record;
    record.mode = mode;
    record.trained_layers = static_cast<uint32_t>(layers);
    record.shots_per_class = static_cast<uint32_t>(o.shots);
    record.location_clips = static_cast<uint32_t>(result.shots);
    record.replayed_clips = static_cast<uint32_t>(result.replayed);
    record.data_digest.assign(data_digest.begin(), data_digest.end());
    record.labels_added = result.added_labels;
    record.dsp_changed = !o.features.empty();
    spec.calibration = record;
    return host::build_capsule(std::move(spec)).bytes;
  };
  auto fresh_network = [&] {
    auto net = std::make_shared<GraphNetwork>(*body.graph(), Task::kClassify, o.base);
    if (!result.added_labels.empty()) net->resize_classifier(keep);
    return net;
  };

  // Training: each mode asked for, kept by int8 accuracy on validation.
  const auto t_train = Clock::now();
  const std::vector<std::string> modes =
      o.mode == "auto" ? std::vector<std::string>{"head", "partial", "full"}
                       : std::vector<std::string>{o.mode};
  std::optional<Candidate> best;
  for (const std::string& mode : modes) {
    torch::manual_seed(o.seed);
    Candidate c;
    c.net = fresh_network();
    const size_t layers = layers_for(mode, c.net->weighted_layers());
    c.net->train_only_last(layers);
    TrainLoopOptions loop;
    loop.settings.epochs = o.epochs;
    loop.settings.batch = 32;
    loop.settings.learning_rate = mode == "head" ? 3e-3f : mode == "partial" ? 1e-3f : 5e-4f;
    loop.settings.weight_decay = 1e-4f;
    loop.settings.warmup_epochs = 0;
    loop.settings.patience = 10;
    loop.settings.seed = o.seed;
    loop.show_progress = loud;
    say(loud, "training (" + mode + "): " + std::to_string(train.size()) + " windows");
    const TrainOutcome outcome = fit(*c.net, train, val, loop);
    c.trial.mode = mode;
    c.trial.trained_layers = layers == 0 ? c.net->weighted_layers() : layers;
    c.trial.best_epoch = outcome.best_epoch;
    c.capsule = build(*c.net, mode, c.trial.trained_layers);
    c.trial.validation = accuracy_of(run_int8(c.capsule, val_w, quantization, Task::kClassify), val.y);
    say(loud, "  " + mode + ": " + std::to_string(c.trial.trained_layers) + " layers learn, " +
                  "int8 validation " + std::to_string(100 * c.trial.validation).substr(0, 5) +
                  "% (best epoch " + std::to_string(outcome.best_epoch) + ")");
    result.trials.push_back(c.trial);
    if (!best || c.trial.validation > best->trial.validation) best = std::move(c);
  }
  result.seconds_training = since(t_train);
  result.mode = best->trial.mode;
  result.capsule = std::move(best->capsule);
  result.output = o.output.empty()
                      ? fs::path(o.base).stem().string() + "-" + o.location + ".capsule"
                      : o.output;
  host::write_file_atomic(result.output, result.capsule);

  // Before and after, through the runtime, on the held-out clips. With a
  // new block, "before" is the base model fed by that block.
  say(loud, "checking base and calibrated capsules on " + std::to_string(held_out.size()) +
                " held-out clips");
  std::vector<uint8_t> before_bytes;
  if (o.features.empty()) {
    before_bytes.assign(base.bytes.data(), base.bytes.data() + base.bytes.size());
  } else {
    auto untrained = fresh_network();
    before_bytes = build(*untrained, "none", 0);
  }
  host::EvalOptions eval;
  result.before = host::evaluate_capsule(before_bytes, held_out, eval, o.base);
  result.after = host::evaluate_capsule(result.capsule, held_out, eval, result.output);
  result.seconds_total = since(t_start);
  return result;
}

nlohmann::json calibration_summary_json(const CalibrationResult& r) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : r.trials) {
    trials.push_back({{"mode", t.mode}, {"trained_layers", t.trained_layers},
                      {"validation_accuracy", t.validation}, {"best_epoch", t.best_epoch}});
  }
  auto side = [](const host::EvalResult& e) {
    nlohmann::json per_class = nlohmann::json::object();
    for (size_t i = 0; i < e.metrics.classes.size() && i < e.classes.size(); ++i) {
      per_class[e.classes[i]] = {{"precision", e.metrics.classes[i].precision},
                                 {"recall", e.metrics.classes[i].recall},
                                 {"support", e.metrics.classes[i].support}};
    }
    return nlohmann::json{{"capsule", e.capsule.digest},
                          {"accuracy", e.metrics.accuracy},
                          {"evaluated", e.predictions.size()},
                          {"per_class", per_class}};
  };
  return {{"capsule", r.output},
          {"capsule_bytes", r.capsule.size()},
          {"parent_digest", r.parent_digest},
          {"location", r.location},
          {"mode", r.mode},
          {"trials", trials},
          {"labels", r.labels},
          {"labels_added", r.added_labels},
          {"data", {{"shots", r.shots}, {"augmented", r.augmented}, {"replayed", r.replayed},
                    {"generated_silence", r.generated_silence},
                    {"validation", r.validation_clips}}},
          {"before", side(r.before)},
          {"after", side(r.after)},
          {"seconds", {{"features", r.seconds_features}, {"training", r.seconds_training},
                       {"total", r.seconds_total}}},
          {"warnings", r.warnings}};
}

}  // namespace locus::train
