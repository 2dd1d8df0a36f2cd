// Image preprocessing for vision models: crop, colour conversion, resize and
// quantisation of 8-bit camera pixels to a model's int8 input, in integer
// arithmetic (bit-identical on every target).
//
// Input:  `width` x `height` pixels, rows top-down, tightly packed, in one of
//         the PixelFormats below.
// Output: output_height x output_width x output_channels int8, HWC, rows
//         top-down (the layout of a TFLite NHWC input tensor with N = 1).
//
// Steps, per output pixel:
//   1. crop  kNone:         the whole image;
//            kRect:         crop_x, crop_y, crop_width, crop_height (must lie
//                           inside the image, else kInvalidArgument);
//            kCenterAspect: the largest centred rectangle with the aspect
//                           aspect_width:aspect_height (0:0 = the output's
//                           aspect): if the image is wider, width =
//                           floor(height * aw / ah) and x = floor((W - width)/2);
//                           if taller, likewise for the height.
//   2. colour, on every source pixel before interpolation:
//        RGB565 -> RGB888 by bit replication: r8 = r5 << 3 | r5 >> 2,
//                 g8 = g6 << 2 | g6 >> 4, b8 = b5 << 3 | b5 >> 2;
//        RGB -> gray: Y = (77 R + 150 G + 29 B + 128) >> 8 (BT.601 weights
//                 0.299/0.587/0.114 in 1/256ths, rounded);
//        gray -> RGB: R = G = B = Y.
//   3. resize the crop (w x h) to the output (W' x H'), per axis, with the
//      source coordinate computed exactly as TensorFlow computes it, in float
//      (scale = float(w) / float(W'); IEEE float is the same everywhere):
//        kNearest:  src = min(floor((float(dst) + 0.5f) * scale), w - 1)
//                   (tf.image.resize NEAREST_NEIGHBOR, half_pixel_centers);
//        kBilinear: src = (float(dst) + 0.5f) * scale - 0.5f (tf.image.resize
//                   BILINEAR: half_pixel_centers=True, no antialias):
//                   lo = max(floor(src), 0), hi = min(ceil(src), w - 1),
//                   weight = src - floor(src) rounded to 12 bits (1/4096,
//                   exact for every integer scale factor); then in integers
//                   v = ((p00 (4096-wx) + p01 wx) (4096-wy) + (p10 (4096-wx) +
//                        p11 wx) wy + 2^23) >> 24,
//                   i.e. TensorFlow's float result rounded half up, within
//                   0.07 of it before rounding (the weights' rounding).
//        Equal sizes are an exact copy either way.
//   4. quantise each 8-bit value p with a 256-entry table built at init:
//        kRawBytes:    q = (int8) p, the byte reinterpreted - what TFLM's
//                      person_detection example does with its test images;
//        kSubtract128: q = p - 128 - what camera image providers and the
//                      MLPerf Tiny VWW / image classification runners do;
//                      equal to kAffine with scale 1/255, zero point -128;
//        kAffine:      real = real_min + (real_max - real_min) * p / 255,
//                      q = clamp(round(real / input_scale) + input_zero_point,
//                      -128, 127), round half away from zero (TFLite's
//                      QUANTIZE), computed in double at init.
//
// Models: person_detect 96x96x1 (gray, kRawBytes for TFLM's test images or
// kSubtract128 for a camera), MLPerf Tiny VWW 96x96x3 and image
// classification 32x32x3 (kSubtract128).
#ifndef LOCUS_RUNTIME_DSP_IMAGE_IMAGE_PREPROCESS_H_
#define LOCUS_RUNTIME_DSP_IMAGE_IMAGE_PREPROCESS_H_

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

namespace locus::dsp {

// Bumped whenever the output for a given config and image changes.
constexpr uint32_t kImagePreprocessImplementationVersion = 1;

enum class PixelFormat : uint8_t {
  kGray8 = 0,      // 1 byte per pixel
  kRgb888 = 1,     // 3 bytes: R, G, B
  kBgr888 = 2,     // 3 bytes: B, G, R
  kRgb565 = 3,     // 2 bytes, little-endian uint16: rrrrrggg gggbbbbb
  kRgb565Be = 4,   // 2 bytes, big-endian uint16 (as many camera sensors send it)
};

// Bytes per pixel, 0 for an unknown format.
int32_t pixel_format_bytes(PixelFormat format);
const char* pixel_format_name(PixelFormat format);

enum class ImageCrop : uint8_t { kNone = 0, kRect = 1, kCenterAspect = 2 };
enum class ImageResize : uint8_t { kNearest = 0, kBilinear = 1 };
enum class ImageQuantization : uint8_t { kRawBytes = 0, kSubtract128 = 1, kAffine = 2 };

struct ImageRect {
  int32_t x, y, width, height;
};

struct ImagePreprocessConfig {
  static constexpr int32_t kMaxOutputSide = 4096;
  static constexpr int32_t kMaxInputSide = 32768;

  int32_t output_width;     // 1..4096
  int32_t output_height;    // 1..4096
  int32_t output_channels;  // 1 (gray) or 3 (RGB)

  ImageCrop crop;
  ImageRect crop_rect;      // kRect
  int32_t aspect_width;     // kCenterAspect; 0 and 0 = output aspect
  int32_t aspect_height;

  ImageResize resize;

  ImageQuantization quantization;
  float input_scale;        // kAffine: the model input's scale (> 0)
  int32_t input_zero_point; // kAffine: -128..127
  float real_min;           // kAffine: real value of pixel 0
  float real_max;           // kAffine: real value of pixel 255

  // 96x96x1, centre crop to the output's aspect, bilinear, kSubtract128
  // (affine fields: scale 1/255, zero point -128, range 0..1).
  static ImagePreprocessConfig defaults();
};

class ImagePreprocessor {
 public:
  ImagePreprocessor() = default;

  // Bytes of caller memory init() needs (0 if the config is invalid).
  static size_t state_bytes(const ImagePreprocessConfig& config);
  static Status validate(const ImagePreprocessConfig& config);
  // Validates and builds the quantisation table in `memory` (any alignment),
  // which must outlive this object.
  Status init(const ImagePreprocessConfig& config, uint8_t* memory, size_t bytes);

  // output_width * output_height * output_channels.
  size_t output_bytes() const;

  // The crop rectangle for an image of this size (kInvalidArgument if a
  // kRect crop does not fit).
  Status crop_for(int32_t width, int32_t height, ImageRect* rect) const;

  // One image -> output_bytes() int8 values in `out`.
  Status process(const uint8_t* image, int32_t width, int32_t height, PixelFormat format,
                 int8_t* out);

  // The quantisation table (256 entries) built by init().
  const int8_t* quantization_table() const { return table_; }
  const ImagePreprocessConfig& config() const { return config_; }

 private:
  struct Tap {  // one output column's or row's source positions and weight
    int32_t lo, hi, weight;
  };

  ImagePreprocessConfig config_{};
  bool ready_ = false;
  int8_t* table_ = nullptr;
  Tap* columns_ = nullptr;  // output_width
};

}  // namespace locus::dsp

#endif  // LOCUS_RUNTIME_DSP_IMAGE_IMAGE_PREPROCESS_H_
