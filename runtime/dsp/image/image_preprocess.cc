#include "runtime/dsp/image/image_preprocess.h"

#include <stdint.h>

namespace locus::dsp {
namespace {

constexpr int32_t kWeightBits = 12;
constexpr int32_t kWeightOne = 1 << kWeightBits;

bool is_finite(float v) { return v == v && v - v == 0.0f; }

// floor of a float known to lie in [-1, 2^24) as an integer.
int32_t floor_to_int(float v) {
  const int32_t t = static_cast<int32_t>(v);  // truncates toward zero
  return static_cast<float>(t) > v ? t - 1 : t;
}

// Round half away from zero, in double, without libm.
int64_t round_half_away(double v) {
  if (v >= 9.0e18) return INT64_MAX;
  if (v <= -9.0e18) return INT64_MIN;
  const int64_t t = static_cast<int64_t>(v);
  const double frac = v - static_cast<double>(t);
  if (frac >= 0.5) return t + 1;
  if (frac <= -0.5) return t - 1;
  return t;
}

// Reads pixel (x, y) as gray (channels 1) or RGB (channels 3).
inline void fetch(const uint8_t* image, int32_t width, PixelFormat format, int32_t x, int32_t y,
                  int32_t channels, uint8_t* out) {
  const size_t index = static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x);
  uint32_t r, g, b;
  switch (format) {
    case PixelFormat::kGray8: {
      const uint8_t v = image[index];
      if (channels == 1) {
        out[0] = v;
      } else {
        out[0] = out[1] = out[2] = v;
      }
      return;
    }
    case PixelFormat::kRgb888: {
      const uint8_t* p = image + 3 * index;
      r = p[0];
      g = p[1];
      b = p[2];
      break;
    }
    case PixelFormat::kBgr888: {
      const uint8_t* p = image + 3 * index;
      r = p[2];
      g = p[1];
      b = p[0];
      break;
    }
    case PixelFormat::kRgb565:
    case PixelFormat::kRgb565Be:
    default: {
      const uint8_t* p = image + 2 * index;
      const uint32_t v = format == PixelFormat::kRgb565 ? (p[0] | p[1] << 8) : (p[0] << 8 | p[1]);
      const uint32_t r5 = (v >> 11) & 31, g6 = (v >> 5) & 63, b5 = v & 31;
      r = r5 << 3 | r5 >> 2;
      g = g6 << 2 | g6 >> 4;
      b = b5 << 3 | b5 >> 2;
      break;
    }
  }
  if (channels == 1) {
    out[0] = static_cast<uint8_t>((77 * r + 150 * g + 29 * b + 128) >> 8);
  } else {
    out[0] = static_cast<uint8_t>(r);
    out[1] = static_cast<uint8_t>(g);
    out[2] = static_cast<uint8_t>(b);
  }
}

}  // namespace

int32_t pixel_format_bytes(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return 1;
    case PixelFormat::kRgb888:
    case PixelFormat::kBgr888: return 3;
    case PixelFormat::kRgb565:
    case PixelFormat::kRgb565Be: return 2;
  }
  return 0;
}

const char* pixel_format_name(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8: return "gray8";
    case PixelFormat::kRgb888: return "rgb888";
    case PixelFormat::kBgr888: return "bgr888";
    case PixelFormat::kRgb565: return "rgb565";
    case PixelFormat::kRgb565Be: return "rgb565be";
  }
  return "unknown";
}

ImagePreprocessConfig ImagePreprocessConfig::defaults() {
  ImagePreprocessConfig c{};
  c.output_width = 96;
  c.output_height = 96;
  c.output_channels = 1;
  c.crop = ImageCrop::kCenterAspect;
  c.crop_rect = ImageRect{0, 0, 0, 0};
  c.aspect_width = 0;
  c.aspect_height = 0;
  c.resize = ImageResize::kBilinear;
  c.quantization = ImageQuantization::kSubtract128;
  c.input_scale = 1.0f / 255.0f;
  c.input_zero_point = -128;
  c.real_min = 0.0f;
  c.real_max = 1.0f;
  return c;
}

Status ImagePreprocessor::validate(const ImagePreprocessConfig& c) {
  constexpr int32_t kMaxOut = ImagePreprocessConfig::kMaxOutputSide;
  if (c.output_width < 1 || c.output_width > kMaxOut || c.output_height < 1 ||
      c.output_height > kMaxOut) {
    return Status::error(StatusCode::kInvalidArgument,
                         "image: output size %dx%d, each side must be 1..%d",
                         static_cast<int>(c.output_width), static_cast<int>(c.output_height),
                         static_cast<int>(kMaxOut));
  }
  if (c.output_channels != 1 && c.output_channels != 3) {
    return Status::error(StatusCode::kInvalidArgument,
                         "image: output_channels is %d, must be 1 (gray) or 3 (RGB)",
                         static_cast<int>(c.output_channels));
  }
  switch (c.crop) {
    case ImageCrop::kNone:
      break;
    case ImageCrop::kRect:
      if (c.crop_rect.x < 0 || c.crop_rect.y < 0 || c.crop_rect.width < 1 ||
          c.crop_rect.height < 1) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: crop rectangle x %d y %d width %d height %d: x and y must "
                             "be >= 0, width and height >= 1",
                             static_cast<int>(c.crop_rect.x), static_cast<int>(c.crop_rect.y),
                             static_cast<int>(c.crop_rect.width),
                             static_cast<int>(c.crop_rect.height));
      }
      break;
    case ImageCrop::kCenterAspect:
      if (c.aspect_width < 0 || c.aspect_height < 0 ||
          (c.aspect_width == 0) != (c.aspect_height == 0)) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: crop aspect %d:%d, must be two positive numbers or 0:0 "
                             "(the output's aspect)",
                             static_cast<int>(c.aspect_width), static_cast<int>(c.aspect_height));
      }
      break;
    default:
      return Status::error(StatusCode::kInvalidArgument, "image: unknown crop mode %d",
                           static_cast<int>(c.crop));
  }
  if (c.resize != ImageResize::kNearest && c.resize != ImageResize::kBilinear) {
    return Status::error(StatusCode::kInvalidArgument, "image: unknown resize method %d",
                         static_cast<int>(c.resize));
  }
  switch (c.quantization) {
    case ImageQuantization::kRawBytes:
    case ImageQuantization::kSubtract128:
      break;
    case ImageQuantization::kAffine:
      if (!is_finite(c.input_scale) || !(c.input_scale > 0.0f)) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: input_scale must be positive and finite");
      }
      if (c.input_zero_point < -128 || c.input_zero_point > 127) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: input_zero_point is %d, must be -128..127",
                             static_cast<int>(c.input_zero_point));
      }
      if (!is_finite(c.real_min) || !is_finite(c.real_max) || c.real_min == c.real_max) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: real_min and real_max must be finite and different");
      }
      break;
    default:
      return Status::error(StatusCode::kInvalidArgument, "image: unknown quantization mode %d",
                           static_cast<int>(c.quantization));
  }
  return Status::ok();
}

size_t ImagePreprocessor::state_bytes(const ImagePreprocessConfig& config) {
  if (!validate(config).is_ok()) return 0;
  // Table, then the column taps (aligned to 4), plus slack to align.
  return 256 + static_cast<size_t>(config.output_width) * sizeof(Tap) + alignof(Tap) - 1;
}

Status ImagePreprocessor::init(const ImagePreprocessConfig& config, uint8_t* memory,
                               size_t bytes) {
  ready_ = false;
  LOCUS_RETURN_IF_ERROR(validate(config));
  const size_t need = state_bytes(config);
  if (memory == nullptr || bytes < need) {
    return Status::error(StatusCode::kResourceExhausted, "image: state needs %zu bytes, got %zu",
                         need, memory == nullptr ? static_cast<size_t>(0) : bytes);
  }
  config_ = config;
  table_ = reinterpret_cast<int8_t*>(memory);
  const uintptr_t taps = (reinterpret_cast<uintptr_t>(memory) + 256 + alignof(Tap) - 1) /
                         alignof(Tap) * alignof(Tap);
  columns_ = reinterpret_cast<Tap*>(memory + (taps - reinterpret_cast<uintptr_t>(memory)));

  for (int32_t p = 0; p < 256; ++p) {
    int32_t q;
    switch (config.quantization) {
      case ImageQuantization::kRawBytes:
        q = p < 128 ? p : p - 256;
        break;
      case ImageQuantization::kSubtract128:
        q = p - 128;
        break;
      case ImageQuantization::kAffine:
      default: {
        const double real = static_cast<double>(config.real_min) +
                            (static_cast<double>(config.real_max) -
                             static_cast<double>(config.real_min)) *
                                (static_cast<double>(p) / 255.0);
        int64_t v = round_half_away(real / static_cast<double>(config.input_scale));
        v = v < -1000 ? -1000 : (v > 1000 ? 1000 : v);
        v += config.input_zero_point;
        q = static_cast<int32_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
        break;
      }
    }
    table_[p] = static_cast<int8_t>(q);
  }
  ready_ = true;
  return Status::ok();
}

size_t ImagePreprocessor::output_bytes() const {
  return static_cast<size_t>(config_.output_width) * static_cast<size_t>(config_.output_height) *
         static_cast<size_t>(config_.output_channels);
}

Status ImagePreprocessor::crop_for(int32_t width, int32_t height, ImageRect* rect) const {
  switch (config_.crop) {
    case ImageCrop::kNone:
      *rect = ImageRect{0, 0, width, height};
      return Status::ok();
    case ImageCrop::kRect: {
      const ImageRect& r = config_.crop_rect;
      if (static_cast<int64_t>(r.x) + r.width > width ||
          static_cast<int64_t>(r.y) + r.height > height) {
        return Status::error(StatusCode::kInvalidArgument,
                             "image: crop rectangle x %d y %d width %d height %d does not fit "
                             "in the %dx%d image",
                             static_cast<int>(r.x), static_cast<int>(r.y),
                             static_cast<int>(r.width), static_cast<int>(r.height),
                             static_cast<int>(width), static_cast<int>(height));
      }
      *rect = r;
      return Status::ok();
    }
    case ImageCrop::kCenterAspect:
    default: {
      int64_t aw = config_.aspect_width, ah = config_.aspect_height;
      if (aw == 0) {
        aw = config_.output_width;
        ah = config_.output_height;
      }
      int64_t w = width, h = height;
      if (static_cast<int64_t>(width) * ah > static_cast<int64_t>(height) * aw) {
        w = static_cast<int64_t>(height) * aw / ah;  // too wide: trim the sides
        if (w < 1) w = 1;
      } else {
        h = static_cast<int64_t>(width) * ah / aw;  // too tall: trim top and bottom
        if (h < 1) h = 1;
      }
      *rect = ImageRect{static_cast<int32_t>((width - w) / 2),
                        static_cast<int32_t>((height - h) / 2), static_cast<int32_t>(w),
                        static_cast<int32_t>(h)};
      return Status::ok();
    }
  }
}

namespace {

// Source taps for one output coordinate, as TensorFlow computes them.
template <typename Tap>
Tap source_tap(ImageResize method, int32_t dst, int32_t in_size, float scale) {
  Tap t;
  if (method == ImageResize::kNearest) {
    int32_t s = floor_to_int((static_cast<float>(dst) + 0.5f) * scale);
    if (s > in_size - 1) s = in_size - 1;
    if (s < 0) s = 0;
    t.lo = t.hi = s;
    t.weight = 0;
    return t;
  }
  const float src = (static_cast<float>(dst) + 0.5f) * scale - 0.5f;
  const int32_t f = floor_to_int(src);
  const float lerp = src - static_cast<float>(f);  // exact
  int32_t hi = static_cast<float>(f) == src ? f : f + 1;  // ceil
  t.lo = f < 0 ? 0 : f;
  t.hi = hi > in_size - 1 ? in_size - 1 : hi;
  if (t.lo > in_size - 1) t.lo = in_size - 1;
  t.weight = static_cast<int32_t>(lerp * static_cast<float>(kWeightOne) + 0.5f);
  return t;
}

}  // namespace

Status ImagePreprocessor::process(const uint8_t* image, int32_t width, int32_t height,
                                  PixelFormat format, int8_t* out) {
  if (!ready_) {
    return Status::error(StatusCode::kFailedPrecondition, "image: process() before init()");
  }
  if (image == nullptr || out == nullptr) {
    return Status::error(StatusCode::kInvalidArgument, "image: null image or output");
  }
  if (pixel_format_bytes(format) == 0) {
    return Status::error(StatusCode::kInvalidArgument, "image: unknown pixel format %d",
                         static_cast<int>(format));
  }
  constexpr int32_t kMaxIn = ImagePreprocessConfig::kMaxInputSide;
  if (width < 1 || height < 1 || width > kMaxIn || height > kMaxIn) {
    return Status::error(StatusCode::kInvalidArgument,
                         "image: input size %dx%d, each side must be 1..%d",
                         static_cast<int>(width), static_cast<int>(height),
                         static_cast<int>(kMaxIn));
  }
  ImageRect crop;
  LOCUS_RETURN_IF_ERROR(crop_for(width, height, &crop));

  const int32_t out_w = config_.output_width, out_h = config_.output_height;
  const int32_t channels = config_.output_channels;
  const ImageResize method = config_.resize;
  const float scale_x = static_cast<float>(crop.width) / static_cast<float>(out_w);
  const float scale_y = static_cast<float>(crop.height) / static_cast<float>(out_h);
  for (int32_t x = 0; x < out_w; ++x) {
    columns_[x] = source_tap<Tap>(method, x, crop.width, scale_x);
    columns_[x].lo += crop.x;
    columns_[x].hi += crop.x;
  }
  const int8_t* table = table_;
  int8_t* o = out;
  for (int32_t y = 0; y < out_h; ++y) {
    Tap row = source_tap<Tap>(method, y, crop.height, scale_y);
    row.lo += crop.y;
    row.hi += crop.y;
    if (method == ImageResize::kNearest) {
      for (int32_t x = 0; x < out_w; ++x) {
        uint8_t p[3];
        fetch(image, width, format, columns_[x].lo, row.lo, channels, p);
        for (int32_t c = 0; c < channels; ++c) *o++ = table[p[c]];
      }
      continue;
    }
    const uint32_t wy = static_cast<uint32_t>(row.weight);
    for (int32_t x = 0; x < out_w; ++x) {
      const Tap& col = columns_[x];
      const uint32_t wx = static_cast<uint32_t>(col.weight);
      uint8_t p00[3], p01[3], p10[3], p11[3];
      fetch(image, width, format, col.lo, row.lo, channels, p00);
      fetch(image, width, format, col.hi, row.lo, channels, p01);
      fetch(image, width, format, col.lo, row.hi, channels, p10);
      fetch(image, width, format, col.hi, row.hi, channels, p11);
      for (int32_t c = 0; c < channels; ++c) {
        const uint32_t top = p00[c] * (kWeightOne - wx) + p01[c] * wx;
        const uint32_t bottom = p10[c] * (kWeightOne - wx) + p11[c] * wx;
        const uint32_t v = (top * (kWeightOne - wy) + bottom * wy + (1u << (2 * kWeightBits - 1))) >>
                           (2 * kWeightBits);
        *o++ = table[v];
      }
    }
  }
  return Status::ok();
}

}  // namespace locus::dsp
