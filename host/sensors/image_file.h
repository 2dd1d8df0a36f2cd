// Image files for vision pipelines: BMP (8-bit palettised, 24-bit BGR and
// 32-bit BGRX, uncompressed, bottom-up or top-down) and binary PGM (P5) /
// PPM (P6). Decoded images are top-down, tightly packed, in the runtime's
// PixelFormat, ready for dsp::ImagePreprocessor.
//
// An 8-bit BMP whose palette is all grays (R = G = B) decodes to kGray8 with
// the palette's gray levels (the common case, e.g. TFLM's person_detection
// images); any other palette decodes to kRgb888. 24/32-bit BMPs and PPMs
// decode to kRgb888, PGMs to kGray8. A PNM maxval below 255 is rescaled to
// 0..255 (v * 255 / maxval, rounded); 16-bit PNMs (maxval > 255) are rejected.
// Truncated or corrupt files throw host::Error naming the file and the
// problem.
#ifndef LOCUS_HOST_SENSORS_IMAGE_FILE_H_
#define LOCUS_HOST_SENSORS_IMAGE_FILE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/dsp/image/image_preprocess.h"

namespace locus::host {

struct Image {
  int32_t width = 0;
  int32_t height = 0;
  dsp::PixelFormat format = dsp::PixelFormat::kGray8;
  std::vector<uint8_t> pixels;  // top-down rows, width * bytes-per-pixel each
};

// Decodes by content (BM / P5 / P6 magic); `origin` names it in errors.
Image decode_image(std::span<const uint8_t> bytes, const std::string& origin);
Image read_image(const std::string& path);

// Binary PGM (gray) or PPM (RGB) bytes of a kGray8 or kRgb888 image.
std::vector<uint8_t> encode_pnm(const Image& image);

}  // namespace locus::host

#endif  // LOCUS_HOST_SENSORS_IMAGE_FILE_H_
