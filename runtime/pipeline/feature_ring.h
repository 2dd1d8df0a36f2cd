// The feature window of a stream: the newest `frames` feature frames in a
// caller-owned ring, and when the next inference is due (first once the
// window is full, then every `stride_frames` new frames). The Pipeline and
// firmware running code from `locus codegen` both stream through this class,
// so both feed their models the same windows.
//
//   ring.init(memory, 49, 40, 10);                 // memory: 49 x 40 bytes
//   write one frame to ring.next_slot();
//   if (ring.commit()) ring.copy_window(model_input);  // oldest frame first
#ifndef LOCUS_RUNTIME_PIPELINE_FEATURE_RING_H_
#define LOCUS_RUNTIME_PIPELINE_FEATURE_RING_H_

#include <stddef.h>
#include <stdint.h>

namespace locus {

class FeatureRing {
 public:
  // `memory` holds frames x frame_bytes and must outlive the ring; frames and
  // stride_frames are at least 1 (the pipeline's plan checks them).
  void init(uint8_t* memory, uint32_t frames, size_t frame_bytes, uint32_t stride_frames);
  // Empty window: the next inference is due after `frames` frames.
  void reset();

  // Where the next frame goes (it overwrites the oldest once the window is full).
  uint8_t* next_slot() const { return memory_ + size_t{head_} * frame_bytes_; }
  // The frame in next_slot() is complete. True when an inference is due.
  bool commit();

  // The i-th oldest frame of the window (0 = oldest).
  const uint8_t* frame(uint32_t i) const;
  // The whole window, oldest frame first, to `out` (frames x frame_bytes).
  void copy_window(uint8_t* out) const;

  uint32_t frames() const { return frames_; }
  size_t frame_bytes() const { return frame_bytes_; }

 private:
  uint8_t* memory_ = nullptr;
  uint32_t frames_ = 1;
  size_t frame_bytes_ = 0;
  uint32_t stride_frames_ = 1;
  uint32_t head_ = 0;     // next slot to write: the oldest frame once full
  uint32_t to_next_ = 1;  // frames until the next inference
};

}  // namespace locus

#endif  // LOCUS_RUNTIME_PIPELINE_FEATURE_RING_H_
