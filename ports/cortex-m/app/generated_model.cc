// Generated models without a DSP block: the input file is copied into the
// model input and the model runs once.
#include "ports/cortex-m/app/generated_model.h"

#include <string.h>

#include "ports/cortex-m/instruction_counter.h"

namespace locus::port {

void invoke_counted(GeneratedModel* m, RunResult* result) {
  const uint64_t t0 = instructions_now();
  m->invoke(m->arena);
  result->model_instructions += instructions_now() - t0;
  ++result->inferences;
}

Status generated_model_init(void* context) {
  GeneratedModel* m = static_cast<GeneratedModel*>(context);
  if (!m->self_test(m->arena)) {
    return Status::error(StatusCode::kDataLoss, "self-test failed: outputs differ from the capsule's");
  }
  return Status::ok();
}

Status generated_model_run(void* context, const uint8_t* input, size_t bytes, RunResult* result) {
  GeneratedModel* m = static_cast<GeneratedModel*>(context);
  if (bytes != m->input_bytes) {
    return Status::error(StatusCode::kInvalidArgument, "input has %zu bytes, the model takes %zu",
                         bytes, m->input_bytes);
  }
  memcpy(m->arena + m->input_offset, input, bytes);
  invoke_counted(m, result);
  return append_output(m->arena + m->output_offset, m->output_bytes, result);
}

}  // namespace locus::port
