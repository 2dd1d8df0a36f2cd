#include "train/train_settings.h"

#include "host/features/yaml_fields.h"

namespace locus::train {

TrainSettings parse_train_settings(const host::PipelineFile& p) {
  TrainSettings s;
  const YAML::Node node = p.train;
  if (node && !node.IsNull() && !node.IsMap()) {
    host::fail(host::yaml_position(p.path, node.Mark()), ": train: expected a map of settings");
  }
  host::YamlFields f(node, p.path, "train");
  if (const YAML::Node d = f.any("data")) s.data = host::resolve_pipeline_path(p, d, "train.data");
  if (const YAML::Node m = f.any("manifest")) {
    s.manifest = host::resolve_pipeline_path(p, m, "train.manifest");
  }
  if (const YAML::Node n = f.any("noise")) s.noise = host::resolve_pipeline_path(p, n, "train.noise");
  if (const YAML::Node split = f.child("split")) {
    host::YamlFields g(split, p.path, "train.split");
    g.get("validation", s.split.validation_share);
    g.get("test", s.split.test_share);
    g.get("seed", s.split.seed);
    g.reject_unknown();
    const double v = s.split.validation_share, t = s.split.test_share;
    if (!(v > 0 && t >= 0 && v + t < 1)) {
      g.error_at(split, "train.split: validation must be > 0, test >= 0 and together < 1");
    }
  }
  if (node && node.IsMap() && node["augment"]) {
    s.augment = host::parse_augment_options(node["augment"], p.path);
  }
  f.any("augment");
  f.get("variants", s.variants);
  f.get("unknown_share", s.unknown_share);
  f.get("silence_share", s.silence_share);
  OptimizerSettings& o = s.optimizer;
  f.get("epochs", o.epochs);
  f.get("batch", o.batch);
  f.get("optimizer", o.optimizer);
  f.get("learning_rate", o.learning_rate);
  f.get("weight_decay", o.weight_decay);
  f.get("schedule", o.schedule);
  f.get("warmup_epochs", o.warmup_epochs);
  f.get("patience", o.patience);
  f.get("label_smoothing", o.label_smoothing);
  f.get("time_mask", o.time_mask);
  f.get("feature_mask", o.feature_mask);
  f.get("seed", o.seed);
  f.get("threads", o.threads);
  f.get("calibration_windows", s.calibration_windows);
  if (const YAML::Node qat = f.child("qat")) {
    host::YamlFields g(qat, p.path, "train.qat");
    g.get("when", s.qat.when);
    g.get("epochs", s.qat.epochs);
    g.get("learning_rate", s.qat.learning_rate);
    g.get("max_loss", s.qat.max_loss);
    g.reject_unknown();
    auto check = [&](bool ok, const char* key, const std::string& expected) {
      if (!ok) g.error_at(qat[key], std::string("train.qat.") + key + ": expected " + expected);
    };
    check(s.qat.when == "auto" || s.qat.when == "always" || s.qat.when == "never", "when",
          "auto, always or never");
    check(s.qat.epochs >= 1 && s.qat.epochs <= 1000, "epochs", "1 to 1000");
    check(s.qat.learning_rate > 0 && s.qat.learning_rate < 10, "learning_rate",
          "a positive rate below 10");
    check(s.qat.max_loss >= 0 && s.qat.max_loss < 1, "max_loss", "a share in [0, 1)");
  }
  f.get("max_per_class", s.max_per_class);
  f.get("anomalous_labels", s.anomalous_labels);
  f.reject_unknown();

  auto require = [&](bool ok, const char* key, const std::string& expected) {
    if (!ok) f.error_at(node[key], std::string("train.") + key + ": expected " + expected);
  };
  require(o.epochs >= 1 && o.epochs <= 10000, "epochs", "1 to 10000");
  require(o.batch >= 2 && o.batch <= 65536, "batch", "2 to 65536");
  require(o.optimizer == "adam" || o.optimizer == "adamw", "optimizer", "adam or adamw");
  require(o.learning_rate > 0 && o.learning_rate < 10, "learning_rate", "a positive rate below 10");
  require(o.weight_decay >= 0, "weight_decay", "a value >= 0");
  require(o.schedule == "cosine" || o.schedule == "step" || o.schedule == "constant", "schedule",
          "cosine, step or constant");
  require(o.warmup_epochs >= 0, "warmup_epochs", "0 or more");
  require(o.patience >= 1, "patience", "1 or more");
  require(o.label_smoothing >= 0 && o.label_smoothing < 1, "label_smoothing", "a value in [0, 1)");
  require(o.time_mask >= 0, "time_mask", "0 or more frames");
  require(o.feature_mask >= 0, "feature_mask", "0 or more rows");
  require(o.threads >= 1 && o.threads <= 256, "threads", "1 to 256");
  require(s.variants <= 64, "variants", "0 to 64");
  require(s.unknown_share >= 0, "unknown_share", "a share >= 0");
  require(s.silence_share >= 0, "silence_share", "a share >= 0");
  require(s.calibration_windows >= 1, "calibration_windows", "1 or more");
  require(s.max_per_class >= 0, "max_per_class", "0 (all) or more");
  return s;
}

bool is_anomalous_label(const std::string& label, const std::vector<std::string>& anomalous) {
  if (!anomalous.empty()) {
    return std::find(anomalous.begin(), anomalous.end(), label) != anomalous.end();
  }
  return label.rfind("anomal", 0) == 0 || label.rfind("abnormal", 0) == 0;
}

}  // namespace locus::train
