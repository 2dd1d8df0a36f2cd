// Streams a recording through a capsule's whole pipeline with the runtime's
// Pipeline, the way a device would: audio in chunks (from a file or raw PCM
// on a stream), IMU CSV rows, or one image. Every inference is reported
// with its per-stage time.
#ifndef LOCUS_HOST_PIPELINE_STREAM_RUNNER_H_
#define LOCUS_HOST_PIPELINE_STREAM_RUNNER_H_

#include <functional>
#include <istream>
#include <string>

#include "runtime/capsule/capsule_reader.h"
#include "runtime/pipeline/pipeline.h"

namespace locus::host {

struct StreamInference {
  const PipelineResult& result;
  const Pipeline& pipeline;
};

using InferenceSink = std::function<void(const StreamInference&)>;

// `path` is an audio file (WAV/FLAC/OGG, resampled to the capsule's rate),
// a CSV for IMU capsules, an image for image capsules, or "-" for raw
// 16-bit little-endian mono PCM at the capsule's rate on `pcm_stdin`.
// Returns the number of inferences. Throws Error naming the input.
size_t stream_file(const Capsule& capsule, const std::string& path, const InferenceSink& sink,
                   std::istream* pcm_stdin = nullptr, size_t chunk_samples = 512);

}  // namespace locus::host

#endif  // LOCUS_HOST_PIPELINE_STREAM_RUNNER_H_
