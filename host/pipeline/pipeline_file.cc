#include "host/pipeline/pipeline_file.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "host/common/error.h"
#include "host/features/yaml_fields.h"

namespace locus::host {
namespace {

void require_one_of(YamlFields& f, const YAML::Node& node, const std::string& value,
                    const std::vector<std::string>& allowed, const std::string& what) {
  for (const auto& a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  f.error_at(node, what + ": expected one of " + list + ", got '" + value + "'");
}

void parse_input(PipelineFile& p, const YAML::Node& node) {
  YamlFields f(node, p.path, "input");
  p.input.mark = node.Mark();
  f.get("sensor", p.input.sensor);
  f.get("sample_rate", p.input.sample_rate);
  f.get("axes", p.input.axes);
  f.get("window_ms", p.input.window_ms);
  f.get("stride_ms", p.input.stride_ms);
  f.reject_unknown();
  require_one_of(f, node["sensor"], p.input.sensor, {"audio", "accelerometer", "image", "raw"},
                 "input.sensor");
  if (p.input.sample_rate == 0 && p.input.sensor != "image") {
    f.error_at(node["sample_rate"], "input.sample_rate: must be positive");
  }
  if (p.input.axes == 0 || p.input.axes > 9) f.error_at(node["axes"], "input.axes: expected 1..9");
}

// ${NAME} in a path becomes the environment variable's value; an unset
// variable is an error (a silent empty string would point somewhere else).
std::string expand_variables(const std::string& text, YamlFields& f, const YAML::Node& node) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t end = text.find('}', i);
      if (end == std::string::npos) f.error_at(node, "unterminated ${ in '" + text + "'");
      const std::string name = text.substr(i + 2, end - i - 2);
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) f.error_at(node, "environment variable " + name + " is not set");
      out += value;
      i = end;
    } else {
      out += text[i];
    }
  }
  return out;
}

void parse_model(PipelineFile& p, const YAML::Node& node) {
  YamlFields f(node, p.path, "model");
  p.model.mark = node.Mark();
  std::string import;
  f.get("import", import);
  f.get("arch", p.model.arch);
  f.get("labels", p.model.labels);
  // Size knobs of a trainable architecture; their types are checked by the
  // trainer, which knows each architecture.
  for (const char* knob : {"width", "depth", "dropout", "bottleneck", "clusters"}) {
    if (f.any(knob) && p.model.arch.empty()) {
      f.error_at(node[knob], std::string("model.") + knob + ": only an 'arch' model has size knobs");
    }
  }
  p.model.node = node;
  f.reject_unknown();
  if (import.empty() == p.model.arch.empty()) {
    f.error_at(node, "model: give exactly one of 'import: MODEL.tflite' or 'arch: NAME'");
  }
  if (!import.empty()) {
    p.model.import_path = resolve_pipeline_path(p, node["import"], "model");
    p.model.import_mark = node["import"].Mark();
  }
  if (node["labels"]) p.model.labels_mark = node["labels"].Mark();
}

void parse_postprocess(PipelineFile& p, const YAML::Node& node) {
  YamlFields f(node, p.path, "postprocess");
  p.postprocess.mark = node.Mark();
  f.get("kind", p.postprocess.kind);
  f.get("average_ms", p.postprocess.average_ms);
  f.get("threshold", p.postprocess.threshold);
  f.get("suppress_ms", p.postprocess.suppress_ms);
  f.get("anomaly_threshold", p.postprocess.anomaly_threshold);
  f.get("background", p.postprocess.background);
  f.reject_unknown();
  require_one_of(f, node["kind"], p.postprocess.kind, {"classify", "anomaly"}, "postprocess.kind");
  if (!(p.postprocess.threshold >= 0.0f && p.postprocess.threshold <= 1.0f)) {
    f.error_at(node["threshold"], "postprocess.threshold: expected a score between 0 and 1");
  }
  if (node["background"]) p.postprocess.background_mark = node["background"].Mark();
}

}  // namespace

std::string resolve_pipeline_path(const PipelineFile& p, const YAML::Node& node,
                                  const std::string& context) {
  YamlFields f(YAML::Node(), p.path, context);
  std::string text;
  try {
    text = node.as<std::string>();
  } catch (const YAML::Exception&) {
    f.error_at(node, context + ": expected a path");
  }
  std::filesystem::path path(expand_variables(text, f, node));
  if (path.is_relative()) path = std::filesystem::path(p.path).parent_path() / path;
  return path.lexically_normal().string();
}

PipelineFile parse_pipeline(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(yaml_position(path, e.mark), ": ", e.msg);
  }
  PipelineFile p;
  p.path = path;
  if (!root.IsMap()) fail(path, ": a pipeline file is a map (name, version, input, ...)");
  YamlFields f(root, path, "pipeline");
  f.get("name", p.name);
  f.get("version", p.version);
  f.get("location", p.location);
  f.get("outputs", p.outputs);
  const YAML::Node input = f.child("input");
  const YAML::Node features = f.any("features");
  const YAML::Node model = f.child("model");
  const YAML::Node postprocess = f.child("postprocess");
  p.train = f.child("train");
  f.reject_unknown();

  static const std::regex kName("[a-z0-9][a-z0-9_.-]*");
  static const std::regex kSemver("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?");
  if (p.name.empty()) f.error_at(root, "pipeline: 'name' is required");
  if (!std::regex_match(p.name, kName)) {
    f.error_at(root["name"], "name: use lower-case letters, digits, '_', '.' and '-'");
  }
  if (p.version.empty()) f.error_at(root, "pipeline: 'version' is required (e.g. 1.0.0)");
  if (!std::regex_match(p.version, kSemver)) {
    f.error_at(root["version"], "version: expected a semantic version such as 1.0.0, got '" +
                                    p.version + "'");
  }
  if (!input) f.error_at(root, "pipeline: 'input' is required");
  parse_input(p, input);
  if (!features || !features.IsSequence() || features.size() == 0) {
    f.error_at(features ? features : root, "features: expected a list of feature blocks");
  }
  for (const auto& block : features) p.features.push_back(block);
  if (!model) f.error_at(root, "pipeline: 'model' is required");
  parse_model(p, model);
  if (postprocess) parse_postprocess(p, postprocess);
  for (const auto& o : p.outputs) {
    if (o != "events" && o != "scores") {
      f.error_at(root["outputs"], "outputs: expected events and/or scores, got '" + o + "'");
    }
  }
  return p;
}

PipelineFile load_pipeline(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse_pipeline(text.str(), path);
}

}  // namespace locus::host
