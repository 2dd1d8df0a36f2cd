#include "runtime/pipeline/feature_ring.h"

#include <string.h>

namespace locus {

void FeatureRing::init(uint8_t* memory, uint32_t frames, size_t frame_bytes,
                       uint32_t stride_frames) {
  memory_ = memory;
  frames_ = frames;
  frame_bytes_ = frame_bytes;
  stride_frames_ = stride_frames;
  reset();
}

void FeatureRing::reset() {
  head_ = 0;
  to_next_ = frames_;
}

bool FeatureRing::commit() {
  head_ = head_ + 1 == frames_ ? 0 : head_ + 1;
  if (--to_next_ != 0) return false;
  to_next_ = stride_frames_;
  return true;
}

const uint8_t* FeatureRing::frame(uint32_t i) const {
  uint32_t slot = head_ + i;
  if (slot >= frames_) slot -= frames_;
  return memory_ + size_t{slot} * frame_bytes_;
}

void FeatureRing::copy_window(uint8_t* out) const {
  const size_t older = size_t{frames_ - head_} * frame_bytes_;
  memcpy(out, memory_ + size_t{head_} * frame_bytes_, older);
  memcpy(out + older, memory_, size_t{head_} * frame_bytes_);
}

}  // namespace locus
