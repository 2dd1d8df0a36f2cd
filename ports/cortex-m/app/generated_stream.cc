// Streaming for generated models: the front end frame by frame into the
// runtime's FeatureRing (the Pipeline's own window), an inference whenever
// the ring says one is due, so outputs can be compared byte for byte. The port supports the audio front end, the block the
// micro_speech pipeline uses.
#include <new>
#include <string.h>

#include "ports/cortex-m/app/generated_model.h"
#include "ports/cortex-m/instruction_counter.h"
#include "runtime/dsp/frontend/audio_frontend.h"
#include "runtime/pipeline/feature_ring.h"

namespace locus::port {

void invoke_counted(GeneratedModel* m, RunResult* result);  // generated_model.cc

Status generated_stream_init(void* context) {
  GeneratedModel* m = static_cast<GeneratedModel*>(context);
  LOCUS_RETURN_IF_ERROR(generated_model_init(context));
  DspBlockConfig config;
  if (m->window_frames == 0 || !m->dsp_config(&config)) {
    return Status::error(StatusCode::kFailedPrecondition,
                         "the model was generated without a DSP block");
  }
  if (config.kind != DspBlockKind::kAudioFrontend || !config.int8_output) {
    return Status::error(StatusCode::kUnsupported,
                         "dsp block 0 (%s): this port runs the audio front end with int8 output",
                         dsp_block_kind_name(config.kind));
  }
  // Placement new: a known state without a static constructor.
  dsp::AudioFrontend* frontend = new (m->frontend) dsp::AudioFrontend();
  Status s = frontend->init(config.audio, config.sample_rate_hz, m->dsp_state, m->dsp_state_bytes);
  if (!s) return s.prefix("dsp block 0 (audio_frontend)");
  if (static_cast<uint32_t>(frontend->channels()) != m->features) {
    return Status::error(StatusCode::kInternal, "front end has %d channels, the window %u",
                         frontend->channels(), m->features);
  }
  return Status::ok();
}

Status generated_stream_run(void* context, const uint8_t* input, size_t bytes, RunResult* result) {
  GeneratedModel* m = static_cast<GeneratedModel*>(context);
  if (bytes % 2 != 0) {
    return Status::error(StatusCode::kInvalidArgument, "PCM input has an odd byte count %zu", bytes);
  }
  auto* frontend = static_cast<dsp::AudioFrontend*>(m->frontend);
  frontend->reset();
  FeatureRing ring;
  ring.init(m->window, m->window_frames, m->features, m->stride_frames);
  const int16_t* pcm = reinterpret_cast<const int16_t*>(input);
  const size_t count = bytes / 2;
  size_t done = 0;
  uint64_t dsp_pending = 0;  // counted at the next inference, as the Pipeline counts it
  while (done < count) {
    const uint64_t t0 = instructions_now();
    size_t used = 0;
    bool produced = false;
    LOCUS_RETURN_IF_ERROR(frontend->process(pcm + done, count - done, &used, m->frame, &produced));
    done += used;
    bool due = false;
    if (produced) {
      dsp::frontend_to_int8_micro_speech(m->frame, static_cast<int32_t>(m->features),
                                         reinterpret_cast<int8_t*>(ring.next_slot()));
      due = ring.commit();
    }
    dsp_pending += instructions_now() - t0;
    if (!due) continue;
    result->dsp_instructions += dsp_pending;
    dsp_pending = 0;
    ring.copy_window(m->arena + m->input_offset);
    invoke_counted(m, result);
    LOCUS_RETURN_IF_ERROR(append_output(m->arena + m->output_offset, m->output_bytes, result));
  }
  return Status::ok();
}

}  // namespace locus::port
