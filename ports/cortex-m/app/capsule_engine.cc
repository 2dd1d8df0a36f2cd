#include <new>
#include <string.h>

#include "ports/cortex-m/app/capsule_model.h"
#include "ports/cortex-m/instruction_counter.h"
#include "runtime/engine/engine.h"

namespace locus::port {
using State = CapsuleEngineState;

Status capsule_engine_init(void* context) {
  CapsuleModel* m = static_cast<CapsuleModel*>(context);
  State* s = new (m->state) State();  // placement new: no static constructor
  LOCUS_RETURN_IF_ERROR(
      Capsule::open(m->begin, static_cast<size_t>(m->end - m->begin), &s->capsule));
  LOCUS_RETURN_IF_ERROR(s->engine.init(s->capsule, m->memory, m->memory_bytes));
  return s->engine.run_self_test();
}

Status capsule_engine_run(void* context, const uint8_t* input, size_t bytes, RunResult* result) {
  State* s = static_cast<State*>(static_cast<CapsuleModel*>(context)->state);
  const TensorView in = s->engine.input(0);
  if (bytes != in.bytes) {
    return Status::error(StatusCode::kInvalidArgument, "input has %zu bytes, the model takes %zu",
                         bytes, in.bytes);
  }
  memcpy(in.data, input, bytes);
  const uint64_t t0 = instructions_now();
  LOCUS_RETURN_IF_ERROR(s->engine.invoke());
  result->model_instructions += instructions_now() - t0;
  result->inferences = 1;
  const TensorView out = s->engine.output(0);
  return append_output(out.data, out.bytes, result);
}

}  // namespace locus::port
