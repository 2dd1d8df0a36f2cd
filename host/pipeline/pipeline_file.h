// The pipeline file (locus.yml): sensor, feature blocks, model, labels,
// post-processing, training settings. Parsing checks structure and types;
// build_pipeline (pipeline_builder.h) checks that the shapes chain.
#ifndef LOCUS_HOST_PIPELINE_PIPELINE_FILE_H_
#define LOCUS_HOST_PIPELINE_PIPELINE_FILE_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace locus::host {

struct PipelineInput {
  std::string sensor = "audio";  // audio | accelerometer | image | raw
  uint32_t sample_rate = 16000;
  uint32_t axes = 1;
  uint32_t window_ms = 1000;     // signal one model input covers
  uint32_t stride_ms = 0;        // run the model every stride (0: every window)
  YAML::Mark mark;
};

struct PipelineModel {
  std::string import_path;  // absolute (resolved against the file's folder)
  std::string arch;         // a trainable architecture (training issue)
  std::vector<std::string> labels;
  YAML::Node node;  // the whole map: the trainer reads the architecture's size knobs
  YAML::Mark mark;
  YAML::Mark import_mark;
  YAML::Mark labels_mark;
};

struct PipelinePostprocess {
  std::string kind = "classify";  // classify | anomaly
  uint32_t average_ms = 0;
  float threshold = 0.5f;
  uint32_t suppress_ms = 0;
  float anomaly_threshold = 0.0f;
  std::vector<std::string> background;  // labels that never raise events
  YAML::Mark mark;
  YAML::Mark background_mark;
};

struct PipelineFile {
  std::string path;  // for messages
  std::string name;
  std::string version;
  std::string location;
  PipelineInput input;
  std::vector<YAML::Node> features;  // one-key maps, parsed by make_feature_block
  PipelineModel model;
  PipelinePostprocess postprocess;
  std::vector<std::string> outputs;
  YAML::Node train;  // kept for the training issue
};

// Throws Error "FILE:LINE:COL: what is wrong (what was expected)".
PipelineFile parse_pipeline(const std::string& text, const std::string& path);
PipelineFile load_pipeline(const std::string& path);

// A path written in the pipeline file: ${VAR} expanded from the environment
// (unset is an error), relative paths taken from the file's folder.
std::string resolve_pipeline_path(const PipelineFile& pipeline, const YAML::Node& node,
                                  const std::string& context);

// Starter pipeline files for `locus init`.
std::vector<std::string> pipeline_templates();
std::string pipeline_template(const std::string& name);

}  // namespace locus::host

#endif  // LOCUS_HOST_PIPELINE_PIPELINE_FILE_H_
