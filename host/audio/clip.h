// Clip-level preparation that training pipelines apply before features:
// fixing the length and scaling to the clip's peak (MLPerf Tiny KWS divides
// each clip by its largest sample). These need the whole clip, so they run
// on the host (training, evaluation, `locus features`), not on a stream.
#ifndef LOCUS_HOST_AUDIO_CLIP_H_
#define LOCUS_HOST_AUDIO_CLIP_H_

#include <cstdint>
#include <span>
#include <vector>

namespace locus::host {

// Pads with zeros or cuts to exactly `samples`.
void fit_length(std::vector<int16_t>& clip, size_t samples);

// x / max(x) as float (the signed maximum, as tf.reduce_max computes it);
// x / 32768 when the maximum is not positive.
std::vector<float> peak_normalized(std::span<const int16_t> clip);

// The same in integers for fixed-point blocks: x * 32767 / max(x), rounded
// half away from zero and saturated (samples below -max clip).
void peak_normalize_int16(std::vector<int16_t>& clip);

}  // namespace locus::host

#endif  // LOCUS_HOST_AUDIO_CLIP_H_
