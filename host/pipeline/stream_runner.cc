#include "host/pipeline/stream_runner.h"

#include <chrono>
#include <filesystem>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/sensors/image_file.h"
#include "host/sensors/imu_csv.h"

namespace locus::host {
namespace {

uint64_t steady_microseconds(void*) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Feeds samples through push(), reporting each inference.
template <typename Sample, typename Push>
size_t feed(Pipeline& pipeline, const Sample* data, size_t count, size_t chunk, Push push,
            const InferenceSink& sink, const std::string& origin) {
  size_t inferences = 0;
  size_t offset = 0;
  while (offset < count) {
    const size_t n = std::min(chunk, count - offset);
    size_t used = 0;
    while (used < n) {
      PipelineResult result;
      bool has_result = false;
      size_t consumed = 0;
      const Status s = push(data + offset + used, n - used, &consumed, &result, &has_result);
      if (!s) fail(origin, ": ", s.message());
      used += consumed;
      if (has_result) {
        ++inferences;
        sink({result, pipeline});
      }
      if (consumed == 0 && !has_result) break;
    }
    offset += n;
  }
  return inferences;
}

}  // namespace

size_t stream_file(const Capsule& capsule, const std::string& path, const InferenceSink& sink,
                   std::istream* pcm_stdin, size_t chunk_samples) {
  size_t bytes = 0;
  Status s = Pipeline::memory_bytes(capsule, &bytes);
  if (!s) fail(path, ": ", s.message());
  AlignedBuffer memory(bytes);
  Pipeline pipeline;
  s = pipeline.init(capsule, memory.data(), memory.size());
  if (!s) fail(s.message());
  pipeline.set_clock(steady_microseconds, nullptr);
  const schema::InputSpec* input = capsule.body()->input();
  const auto sensor = input ? input->sensor() : schema::SensorKind::Raw;
  const uint32_t rate = input ? input->sample_rate_hz() : 0;

  if (sensor == schema::SensorKind::Audio) {
    std::vector<int16_t> samples;
    if (path == "-") {
      if (pcm_stdin == nullptr) fail("-: no input stream");
      // Raw PCM arrives as it is produced: read and push chunk by chunk.
      size_t inferences = 0;
      std::vector<int16_t> chunk(chunk_samples);
      while (*pcm_stdin) {
        pcm_stdin->read(reinterpret_cast<char*>(chunk.data()),
                        static_cast<std::streamsize>(chunk.size() * 2));
        const size_t got = static_cast<size_t>(pcm_stdin->gcount()) / 2;
        if (got == 0) break;
        inferences += feed(
            pipeline, chunk.data(), got, chunk_samples,
            [&](const int16_t* p, size_t n, size_t* c, PipelineResult* r, bool* h) {
              return pipeline.push(p, n, c, r, h);
            },
            sink, "stdin");
      }
      return inferences;
    }
    samples = read_audio(path, rate).samples;
    return feed(
        pipeline, samples.data(), samples.size(), chunk_samples,
        [&](const int16_t* p, size_t n, size_t* c, PipelineResult* r, bool* h) {
          return pipeline.push(p, n, c, r, h);
        },
        sink, path);
  }
  if (sensor == schema::SensorKind::Accelerometer) {
    const ImuRecording rec = read_imu_csv(path);
    if (rec.axes() != input->axes()) {
      fail(path, ": has ", rec.axes(), " axes, the capsule expects ", input->axes());
    }
    return feed(
        pipeline, rec.samples.data(), rec.frames(), chunk_samples,
        [&](const float* p, size_t n, size_t* c, PipelineResult* r, bool* h) {
          return pipeline.push_imu(p, n, c, r, h);
        },
        sink, path);
  }
  if (sensor == schema::SensorKind::Image) {
    const Image image = read_image(path);
    PipelineResult result;
    s = pipeline.infer_image(image.pixels.data(), image.width, image.height, image.format, &result);
    if (!s) fail(path, ": ", s.message());
    sink({result, pipeline});
    return 1;
  }
  fail(path, ": this capsule has no sensor pipeline; run it on a raw tensor with --input");
}

}  // namespace locus::host
