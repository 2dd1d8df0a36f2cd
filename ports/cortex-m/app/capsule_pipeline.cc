#include <new>

#include "ports/cortex-m/app/capsule_model.h"
#include "ports/cortex-m/instruction_counter.h"
#include "runtime/pipeline/pipeline.h"

namespace locus::port {
namespace {

using State = CapsulePipelineState;

// The pipeline's per-stage "microseconds" come from this clock, so they are
// instruction counts here.
uint64_t instruction_clock(void*) { return instructions_now(); }

}  // namespace

Status capsule_pipeline_init(void* context) {
  CapsuleModel* m = static_cast<CapsuleModel*>(context);
  State* s = new (m->state) State();  // placement new: no static constructor
  LOCUS_RETURN_IF_ERROR(
      Capsule::open(m->begin, static_cast<size_t>(m->end - m->begin), &s->capsule));
  LOCUS_RETURN_IF_ERROR(s->pipeline.init(s->capsule, m->memory, m->memory_bytes));  // + self-test
  s->pipeline.set_clock(instruction_clock, nullptr);
  return Status::ok();
}

Status capsule_pipeline_run(void* context, const uint8_t* input, size_t bytes, RunResult* result) {
  State* s = static_cast<State*>(static_cast<CapsuleModel*>(context)->state);
  if (bytes % 2 != 0) {
    return Status::error(StatusCode::kInvalidArgument, "PCM input has an odd byte count %zu", bytes);
  }
  s->pipeline.reset();
  const int16_t* pcm = reinterpret_cast<const int16_t*>(input);
  const size_t count = bytes / 2;
  size_t done = 0;
  while (done < count) {
    size_t used = 0;
    bool has = false;
    PipelineResult r;
    LOCUS_RETURN_IF_ERROR(s->pipeline.push(pcm + done, count - done, &used, &r, &has));
    done += used;
    if (!has) continue;
    result->dsp_instructions += r.dsp_us;
    result->model_instructions += r.model_us;
    ++result->inferences;
    const TensorView out = s->pipeline.engine().output(0);
    LOCUS_RETURN_IF_ERROR(append_output(out.data, out.bytes, result));
  }
  return Status::ok();
}

}  // namespace locus::port
