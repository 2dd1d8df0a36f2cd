#include "host/sensors/image_file.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <string_view>

#include "host/common/error.h"

namespace locus::host {
namespace {

constexpr int64_t kMaxSide = dsp::ImagePreprocessConfig::kMaxInputSide;

uint32_t u16le(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at] | b[at + 1] << 8);
}
uint32_t u32le(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

void check_size(const std::string& origin, const char* kind, int64_t w, int64_t h) {
  if (w < 1 || h < 1 || w > kMaxSide || h > kMaxSide) {
    fail(origin, ": ", kind, " size ", w, "x", h, " is not supported (each side must be 1..",
         kMaxSide, ")");
  }
}

Image decode_bmp(std::span<const uint8_t> b, const std::string& origin) {
  if (b.size() < 14 + 40) {
    fail(origin, ": truncated BMP: ", b.size(), " bytes, the headers alone need 54");
  }
  const uint32_t data_offset = u32le(b, 10);
  const uint32_t header_size = u32le(b, 14);
  if (header_size < 40) {
    fail(origin, ": BMP info header of ", header_size,
         " bytes is not supported (need BITMAPINFOHEADER, 40 bytes or more)");
  }
  if (14 + static_cast<uint64_t>(header_size) > b.size()) {
    fail(origin, ": truncated BMP: info header of ", header_size, " bytes, file has ", b.size());
  }
  const int64_t width = static_cast<int32_t>(u32le(b, 18));
  const int64_t raw_height = static_cast<int32_t>(u32le(b, 22));
  const uint32_t planes = u16le(b, 26);
  const uint32_t bpp = u16le(b, 28);
  const uint32_t compression = u32le(b, 30);
  uint32_t colours = u32le(b, 46);
  const bool top_down = raw_height < 0;
  const int64_t height = top_down ? -raw_height : raw_height;
  check_size(origin, "BMP", width, height);
  if (planes != 1) fail(origin, ": corrupt BMP: ", planes, " colour planes, expected 1");
  if (bpp != 8 && bpp != 24 && bpp != 32) {
    fail(origin, ": BMP with ", bpp, " bits per pixel is not supported (8, 24 or 32)");
  }
  // BI_RGB only (BI_BITFIELDS with the default masks is also plain BGRX).
  if (compression != 0 && !(compression == 3 && bpp == 32)) {
    fail(origin, ": compressed BMP (compression ", compression, ") is not supported");
  }
  std::vector<uint8_t> palette_r, palette_g, palette_b;
  bool gray_palette = true;
  if (bpp == 8) {
    if (colours == 0) colours = 256;
    if (colours > 256) fail(origin, ": corrupt BMP: palette of ", colours, " colours");
    const uint64_t palette_at = 14 + static_cast<uint64_t>(header_size);
    if (palette_at + 4ull * colours > b.size()) {
      fail(origin, ": truncated BMP: palette of ", colours, " colours at offset ", palette_at,
           " runs past the end of the ", b.size(), "-byte file");
    }
    for (uint32_t i = 0; i < colours; ++i) {
      const size_t at = static_cast<size_t>(palette_at) + 4 * i;
      palette_b.push_back(b[at]);
      palette_g.push_back(b[at + 1]);
      palette_r.push_back(b[at + 2]);
      if (b[at] != b[at + 1] || b[at + 1] != b[at + 2]) gray_palette = false;
    }
  }
  const uint64_t stride = (static_cast<uint64_t>(width) * bpp + 31) / 32 * 4;
  const uint64_t row_bytes = static_cast<uint64_t>(width) * bpp / 8;
  const uint64_t needed = data_offset + stride * static_cast<uint64_t>(height - 1) + row_bytes;
  if (data_offset < 14 + static_cast<uint64_t>(header_size)) {
    fail(origin, ": corrupt BMP: pixel data offset ", data_offset, " lies inside the headers");
  }
  if (needed > b.size()) {
    fail(origin, ": truncated BMP: ", width, "x", height, " at ", bpp, " bits per pixel needs ",
         needed, " bytes, the file has ", b.size());
  }
  Image image;
  image.width = static_cast<int32_t>(width);
  image.height = static_cast<int32_t>(height);
  const bool gray = bpp == 8 && gray_palette;
  image.format = gray ? dsp::PixelFormat::kGray8 : dsp::PixelFormat::kRgb888;
  const size_t channels = gray ? 1 : 3;
  image.pixels.resize(static_cast<size_t>(width * height) * channels);
  for (int64_t y = 0; y < height; ++y) {
    const int64_t file_row = top_down ? y : height - 1 - y;
    const size_t row = data_offset + static_cast<size_t>(stride * static_cast<uint64_t>(file_row));
    uint8_t* out = image.pixels.data() + static_cast<size_t>(y * width) * channels;
    for (int64_t x = 0; x < width; ++x) {
      if (bpp == 8) {
        const uint8_t index = b[row + static_cast<size_t>(x)];
        if (index >= colours) {
          fail(origin, ": corrupt BMP: pixel (", x, ", ", y, ") uses colour ", int{index},
               " of a ", colours, "-colour palette");
        }
        if (gray) {
          *out++ = palette_r[index];
        } else {
          *out++ = palette_r[index];
          *out++ = palette_g[index];
          *out++ = palette_b[index];
        }
      } else {
        const size_t at = row + static_cast<size_t>(x) * (bpp / 8);
        *out++ = b[at + 2];
        *out++ = b[at + 1];
        *out++ = b[at];
      }
    }
  }
  return image;
}

// Reads the PNM header's next whitespace-separated unsigned integer.
int64_t pnm_number(std::span<const uint8_t> b, size_t& at, const std::string& origin,
                   const char* what) {
  while (at < b.size()) {
    if (std::isspace(b[at])) {
      ++at;
    } else if (b[at] == '#') {
      while (at < b.size() && b[at] != '\n') ++at;
    } else {
      break;
    }
  }
  if (at >= b.size()) fail(origin, ": truncated PNM header: missing ", what);
  if (!std::isdigit(b[at])) {
    fail(origin, ": corrupt PNM header: expected the ", what, " at byte ", at, ", got '",
         static_cast<char>(b[at]), "'");
  }
  int64_t v = 0;
  while (at < b.size() && std::isdigit(b[at])) {
    v = v * 10 + (b[at] - '0');
    if (v > (1 << 30)) fail(origin, ": corrupt PNM header: ", what, " is too large");
    ++at;
  }
  return v;
}

Image decode_pnm(std::span<const uint8_t> b, const std::string& origin) {
  const bool colour = b[1] == '6';
  size_t at = 2;
  const int64_t width = pnm_number(b, at, origin, "width");
  const int64_t height = pnm_number(b, at, origin, "height");
  const int64_t maxval = pnm_number(b, at, origin, "maximum value");
  check_size(origin, colour ? "PPM" : "PGM", width, height);
  if (maxval < 1) fail(origin, ": corrupt PNM header: maximum value 0");
  if (maxval > 255) {
    fail(origin, ": 16-bit PNM (maximum value ", maxval, ") is not supported, only 8-bit");
  }
  if (at >= b.size() || !std::isspace(b[at])) {
    fail(origin, ": corrupt PNM header: expected one whitespace byte after the maximum value");
  }
  ++at;
  const size_t channels = colour ? 3 : 1;
  const uint64_t needed = static_cast<uint64_t>(width * height) * channels;
  if (b.size() - at < needed) {
    fail(origin, ": truncated ", colour ? "PPM" : "PGM", ": ", width, "x", height, " needs ",
         needed, " bytes of pixels, the file has ", b.size() - at);
  }
  Image image;
  image.width = static_cast<int32_t>(width);
  image.height = static_cast<int32_t>(height);
  image.format = colour ? dsp::PixelFormat::kRgb888 : dsp::PixelFormat::kGray8;
  image.pixels.assign(b.begin() + static_cast<std::ptrdiff_t>(at),
                      b.begin() + static_cast<std::ptrdiff_t>(at + needed));
  if (maxval != 255) {
    for (uint8_t& v : image.pixels) {
      if (v > maxval) {
        fail(origin, ": corrupt PNM: value ", int{v}, " above the maximum ", maxval);
      }
      v = static_cast<uint8_t>((v * 255 + maxval / 2) / maxval);
    }
  }
  return image;
}

}  // namespace

Image decode_image(std::span<const uint8_t> bytes, const std::string& origin) {
  if (bytes.size() < 2) fail(origin, ": not an image (", bytes.size(), " bytes)");
  if (bytes[0] == 'B' && bytes[1] == 'M') return decode_bmp(bytes, origin);
  if (bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return decode_pnm(bytes, origin);
  if (bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '4') {
    fail(origin, ": ASCII or bitmap PNM (P", static_cast<char>(bytes[1]),
         ") is not supported, only binary P5 (PGM) and P6 (PPM)");
  }
  fail(origin, ": unknown image format (expected BMP, or binary PGM/PPM)");
}

Image read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, ": read error");
  return decode_image(bytes, path);
}

std::vector<uint8_t> encode_pnm(const Image& image) {
  const bool colour = image.format == dsp::PixelFormat::kRgb888;
  if (!colour && image.format != dsp::PixelFormat::kGray8) {
    fail("encode_pnm: only gray8 and rgb888 images, got ", dsp::pixel_format_name(image.format));
  }
  const std::string header = std::string(colour ? "P6\n" : "P5\n") + std::to_string(image.width) +
                             " " + std::to_string(image.height) + "\n255\n";
  std::vector<uint8_t> out(header.begin(), header.end());
  out.insert(out.end(), image.pixels.begin(), image.pixels.end());
  return out;
}

}  // namespace locus::host
