// Deployment way (a): the capsule's bytes linked into flash, opened and run
// by the runtime: Capsule::open verifies it, then the Engine runs a capsule
// without a DSP block, the Pipeline one with (DSP block, window, model).
// The two are separate so that a firmware for a bare model does not link
// the Pipeline and, through it, every DSP block.
#ifndef LOCUS_PORTS_CORTEX_M_APP_CAPSULE_MODEL_H_
#define LOCUS_PORTS_CORTEX_M_APP_CAPSULE_MODEL_H_

#include <stddef.h>
#include <stdint.h>

#include "ports/cortex-m/app/port_app.h"
#include "runtime/engine/engine.h"
#include "runtime/pipeline/pipeline.h"

namespace locus::port {

struct CapsuleModel {
  const uint8_t* begin;  // the capsule in flash (16-byte aligned)
  const uint8_t* end;
  uint8_t* memory;       // the arena (engine) or Pipeline::memory_bytes (pipeline)
  size_t memory_bytes;
  void* state;           // storage for CapsuleEngineState or CapsulePipelineState
};

// The runtime objects one model needs, built in `state` by placement new
// (no static constructors); the firmware reserves exactly their size.
struct CapsuleEngineState {
  Capsule capsule;
  Engine engine;
};
struct CapsulePipelineState {
  Capsule capsule;
  Pipeline pipeline;
};

// The capsule input is the model input (capsule_engine.cc).
Status capsule_engine_init(void* model);
Status capsule_engine_run(void* model, const uint8_t* input, size_t bytes, RunResult* result);
// The capsule input is 16-bit PCM through its DSP block (capsule_pipeline.cc).
Status capsule_pipeline_init(void* model);
Status capsule_pipeline_run(void* model, const uint8_t* input, size_t bytes, RunResult* result);

}  // namespace locus::port

#endif  // LOCUS_PORTS_CORTEX_M_APP_CAPSULE_MODEL_H_
