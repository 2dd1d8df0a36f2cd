// From a pipeline file to a capsule: builds each feature block (validating
// its parameters), imports the model, checks at build time that the shapes
// chain (sensor -> block -> feature window -> model input -> labels), and
// writes the capsule with the DSP configuration, memory plan, labels,
// post-processing, self-test and, when data is given, feature statistics.
#ifndef LOCUS_HOST_PIPELINE_PIPELINE_BUILDER_H_
#define LOCUS_HOST_PIPELINE_PIPELINE_BUILDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/capsule/capsule_writer.h"
#include "host/features/feature_block.h"
#include "host/pipeline/pipeline_file.h"
#include "host/planner/memory_planner.h"

namespace locus::host {

struct PipelineBuildOptions {
  uint64_t sequence = 1;
  std::string producer = "locus";
  // Recordings to compute per-feature mean and variance over (optional).
  std::vector<std::string> data_files;
  std::function<void(size_t done, size_t total)> progress;
  // The model of a `model.arch` pipeline, as training produced it (int8,
  // unplanned); imported models come from `model.import` instead.
  const Graph* trained_model = nullptr;
};

// The feature side of a pipeline, checked against its input: the block and
// how many frames of how many features one model input holds.
struct PipelineFeatures {
  std::unique_ptr<FeatureBlock> block;
  std::string where;  // "locus.yml:8:5: features[0] (audio_frontend)", for messages
  bool audio = false;
  uint32_t frames = 1;
  uint32_t features = 0;
  uint32_t stride_frames = 1;
  uint32_t window_samples = 0;  // audio: samples one model input covers
};
PipelineFeatures pipeline_features(const PipelineFile& pipeline);

struct PipelineBuild {
  std::vector<uint8_t> bytes;
  MemoryPlan plan;
  uint32_t frames = 0;            // feature frames per model input
  uint32_t features = 0;          // values per frame
  uint32_t stride_frames = 0;
  std::string feature_type;       // int8, float32, ...
  size_t dsp_state_bytes = 0;
};

// The capsule spec (everything but the bytes); exposed for tests and tools.
CapsuleSpec pipeline_spec(const PipelineFile& pipeline, const PipelineBuildOptions& options,
                          PipelineBuild* shape);

PipelineBuild build_pipeline(const PipelineFile& pipeline, const PipelineBuildOptions& options);

}  // namespace locus::host

#endif  // LOCUS_HOST_PIPELINE_PIPELINE_BUILDER_H_
