#include "host/capsule/raw_runner.h"

#include <chrono>
#include <cstring>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "runtime/engine/engine.h"
#include "runtime/ops/op_context.h"

namespace locus::host {
namespace {

struct Profiler {
  std::vector<OpTiming>* timings;
  std::chrono::steady_clock::time_point start;
};

void observe(void* context, uint32_t index, schema::OpKind kind, bool end) {
  auto* p = static_cast<Profiler*>(context);
  const auto now = std::chrono::steady_clock::now();
  if (!end) {
    p->start = now;
    return;
  }
  const ops::OpHandler* h = ops::find_op_handler(kind);
  p->timings->push_back(
      {index, h ? h->name : "?",
       std::chrono::duration<double, std::micro>(now - p->start).count()});
}

}  // namespace

RawRunResult run_raw(const Capsule& capsule, std::span<const uint8_t> input,
                     const RawRunOptions& options) {
  RawRunResult result;
  AlignedBuffer arena(capsule.arena_bytes());
  Engine engine;
  Status s = engine.init(capsule, arena.data(), arena.size());
  if (!s) fail(s.message());
  if (options.self_test && engine.has_self_test()) {
    s = engine.run_self_test();
    if (!s) fail(s.message());
    result.self_test_passed = true;
  }
  const TensorView in = engine.input(0);
  if (input.size() != in.bytes) {
    fail("input has ", input.size(), " bytes; the capsule's input needs ", in.bytes, " (",
         schema::EnumNameTensorType(in.type), ", ", in.bytes / ops::type_size(in.type),
         " values)");
  }
  std::memcpy(in.data, input.data(), input.size());
  Profiler profiler{&result.timings, {}};
  if (options.profile) engine.set_observer(observe, &profiler);
  s = engine.invoke();
  if (!s) fail(s.message());
  for (size_t i = 0; i < engine.output_count(); ++i) {
    const TensorView out = engine.output(i);
    const auto* p = static_cast<const uint8_t*>(out.data);
    result.outputs.emplace_back(p, p + out.bytes);
  }
  return result;
}

}  // namespace locus::host
