// Runs a verified capsule's graph in a caller-owned arena.
//
//   locus::Capsule capsule;
//   LOCUS_RETURN_IF_ERROR(locus::Capsule::open(bytes, size, &capsule));
//   alignas(16) static uint8_t arena[kArenaSize];   // >= capsule.arena_bytes()
//   locus::Engine engine;
//   LOCUS_RETURN_IF_ERROR(engine.init(capsule, arena, sizeof(arena)));
//   memcpy(engine.input(0).data, features, engine.input(0).bytes);
//   LOCUS_RETURN_IF_ERROR(engine.invoke());
//   const int8_t* scores = engine.output(0).as<int8_t>();
#ifndef LOCUS_RUNTIME_ENGINE_ENGINE_H_
#define LOCUS_RUNTIME_ENGINE_ENGINE_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/capsule/capsule_reader.h"
#include "runtime/status.h"

namespace locus {

struct TensorView {
  schema::TensorType type = schema::TensorType::Int8;
  const int32_t* dims = nullptr;  // points into the capsule
  int32_t rank = 0;
  void* data = nullptr;
  size_t bytes = 0;
  float scale = 0.0f;  // per-tensor quantisation (first channel if per-channel)
  int32_t zero_point = 0;

  template <typename T>
  T* as() const { return static_cast<T*>(data); }
};

// Called around every operator, e.g. to time it. `end` is false before the
// operator runs and true after.
using OpObserver = void (*)(void* context, uint32_t op_index, schema::OpKind kind, bool end);

class Engine {
 public:
  Engine() = default;

  // Binds `capsule` (already opened) to `arena`, which must be 16-byte
  // aligned and at least capsule.arena_bytes() long. Both must outlive the
  // engine. The arena's contents are not initialised.
  Status init(const Capsule& capsule, uint8_t* arena, size_t arena_size);

  size_t input_count() const;
  size_t output_count() const;
  TensorView input(size_t i) const;
  TensorView output(size_t i) const;

  // Runs every operator once, in order.
  Status invoke();

  // Copies the capsule's self-test inputs in, runs, and compares every
  // output byte with the expected bytes. A capsule without a self-test
  // passes trivially (has_self_test() tells).
  bool has_self_test() const;
  Status run_self_test();

  void set_observer(OpObserver observer, void* context) {
    observer_ = observer;
    observer_context_ = context;
  }

 private:
  TensorView view(int32_t tensor_index) const;

  const schema::Graph* graph_ = nullptr;
  const schema::CapsuleBody* body_ = nullptr;
  uint8_t* arena_ = nullptr;
  OpObserver observer_ = nullptr;
  void* observer_context_ = nullptr;
};

}  // namespace locus

#endif  // LOCUS_RUNTIME_ENGINE_ENGINE_H_
