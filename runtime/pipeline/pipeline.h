// The streaming pipeline a capsule describes, end to end on a device:
//
//   samples -> DSP block (one frame at a time) -> feature-frame ring (the
//   newest `feature_window.frames` frames) -> every `stride_frames` frames:
//   window (oldest first) -> model -> post-processing -> result / event
//
// All memory is one caller-owned, 16-byte aligned buffer of memory_bytes():
// DSP block state, the feature ring, post-processing history and the graph
// arena, each sub-allocation 16-byte aligned. No heap, no clocks (stage
// timing only through a clock the caller installs), no OS calls.
//
//   size_t bytes = 0;
//   LOCUS_RETURN_IF_ERROR(locus::Pipeline::memory_bytes(capsule, &bytes));
//   alignas(16) static uint8_t memory[kMemoryBytes];   // >= bytes
//   locus::Pipeline pipeline;
//   LOCUS_RETURN_IF_ERROR(pipeline.init(capsule, memory, sizeof(memory)));
//   while (more audio) {
//     size_t used = 0;  bool has = false;  locus::PipelineResult r;
//     for (size_t done = 0; done < n; done += used) {
//       LOCUS_RETURN_IF_ERROR(pipeline.push(pcm + done, n - done, &used, &r, &has));
//       if (has && r.event) on_keyword(pipeline.label(r.top_label));
//     }
//   }
#ifndef LOCUS_RUNTIME_PIPELINE_PIPELINE_H_
#define LOCUS_RUNTIME_PIPELINE_PIPELINE_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/capsule/capsule_reader.h"
#include "runtime/engine/engine.h"
#include "runtime/pipeline/dsp_from_capsule.h"
#include "runtime/pipeline/feature_ring.h"
#include "runtime/pipeline/postprocess.h"
#include "runtime/status.h"

namespace locus {

using PipelineClock = uint64_t (*)(void* context);  // microseconds, monotonic

class Pipeline {
 public:
  // Everything memory_bytes() and init() derive from the capsule before
  // touching memory: the block, the window, the model's input and output,
  // and the memory layout.
  struct Plan {
    DspBlockConfig dsp;
    uint32_t window_frames = 0;    // feature frames the model sees
    uint32_t features = 0;         // values per feature frame
    uint32_t stride_frames = 1;    // frames added between inferences
    schema::TensorType feature_type = schema::TensorType::Int8;  // = the model input's
    size_t frame_bytes = 0;        // features x element size
    double stride_ms = 0.0;        // stream time between inferences (0: unknown)
    PostProcessConfig post;
    // Layout: byte offsets into the caller's memory, each 16-byte aligned.
    size_t dsp_offset = 0, dsp_bytes = 0;
    size_t ring_offset = 0, ring_bytes = 0;
    size_t scratch_offset = 0, scratch_bytes = 0;  // one frame of raw block output
    size_t samples_offset = 0, samples_bytes = 0;  // IMU: the sample window
    size_t history_offset = 0, history_bytes = 0;
    size_t arena_offset = 0, arena_bytes = 0;
    size_t total_bytes = 0;
  };

  Pipeline() = default;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Checks that the capsule describes a pipeline this runtime can run and
  // plans its memory (kMalformed / kUnsupported saying what and where).
  static Status make_plan(const Capsule& capsule, Plan* plan);
  // The caller-owned bytes init() needs.
  static Status memory_bytes(const Capsule& capsule, size_t* bytes);

  // Builds the DSP block, binds the engine to its arena, runs the capsule's
  // self-test (init fails if it fails) and starts a fresh stream. `memory`
  // (16-byte aligned, >= memory_bytes()) and the capsule bytes must outlive
  // the pipeline.
  Status init(const Capsule& capsule, uint8_t* memory, size_t bytes);
  bool initialized() const { return ready_; }

  // Fresh stream: empty DSP buffers and feature ring, no history, time 0.
  void reset();

  // Installs a microsecond clock for the per-stage times in results
  // (nullptr: times are 0).
  void set_clock(PipelineClock now_us, void* context) {
    clock_ = now_us;
    clock_context_ = context;
  }

  // Audio. Consumes samples until an inference completes (then *has_result
  // and *result are set, and the rest of the samples are left for the next
  // call) or all `count` are consumed. *consumed says how many were used.
  Status push(const int16_t* samples, size_t count, size_t* consumed, PipelineResult* result,
              bool* has_result);

  // IMU: `frames` frames of axes interleaved floats (finite), same contract.
  // The block computes a feature frame over every window of
  // ImuFeaturesParams.window_frames samples, every stride_frames samples.
  Status push_imu(const float* interleaved, size_t frames, size_t* consumed,
                  PipelineResult* result, bool* has_result);

  // Image: one picture -> preprocess -> model -> post-processing.
  Status infer_image(const uint8_t* pixels, int32_t width, int32_t height,
                     dsp::PixelFormat format, PipelineResult* result);

  const Plan& plan() const { return plan_; }
  const Engine& engine() const { return engine_; }
  uint32_t label_count() const { return plan_.post.label_count; }
  // Label text from the capsule ("" when it has no labels).
  const char* label(int32_t index) const;
  // Samples (audio), frames (IMU) or images pushed since the last reset.
  uint64_t position() const { return position_; }

 private:
  uint64_t now() const { return clock_ ? clock_(clock_context_) : 0; }
  Status init_block(uint8_t* memory);
  bool store_frame();  // true when an inference is due
  Status run_inference(PipelineResult* result, uint64_t dsp_us);
  uint64_t timestamp_ms() const;
  float mean_squared_error() const;
  const char* sensor_name() const;

  bool ready_ = false;
  Plan plan_;
  const schema::CapsuleBody* body_ = nullptr;
  Engine engine_;
  PostProcessor post_;

  dsp::AudioFrontend frontend_;
  dsp::Spectrogram spectrogram_;
  dsp::Mfe mfe_;
  dsp::Mfcc mfcc_;
  dsp::SpectralBlock* spectral_ = nullptr;
  dsp::FixedFeatureQuantizer fixed_quantizer_;
  dsp::ImuFeatures imu_;
  dsp::ImagePreprocessor image_;

  uint8_t* ring_ = nullptr;      // window_frames x frame_bytes
  FeatureRing window_;           // over ring_ (streaming blocks)
  uint8_t* scratch_ = nullptr;   // raw block output of one frame
  float* samples_ = nullptr;     // IMU window, axes interleaved
  float input_scale_ = 1.0f;     // model input quantisation (IMU float -> int8)
  int32_t input_zero_point_ = 0;

  uint64_t position_ = 0;
  uint64_t dsp_us_ = 0;          // DSP time since the last result
  uint32_t imu_fill_ = 0;        // IMU frames in samples_
  uint32_t imu_skip_ = 0;        // IMU frames to drop (stride > window)

  PipelineClock clock_ = nullptr;
  void* clock_context_ = nullptr;
};

}  // namespace locus

#endif  // LOCUS_RUNTIME_PIPELINE_PIPELINE_H_
