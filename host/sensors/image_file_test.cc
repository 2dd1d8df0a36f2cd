#include "host/sensors/image_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/engine/engine.h"

namespace locus::host {
namespace {

using dsp::PixelFormat;

void put16(std::vector<uint8_t>& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& b, uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}

// A BMP written the way common tools write them. `rows` are top-down; each
// pixel is a palette index (8 bpp) or B, G, R (24 bpp).
std::vector<uint8_t> make_bmp(int width, int height, int bpp, bool top_down,
                              const std::vector<std::vector<uint8_t>>& rows,
                              const std::vector<uint32_t>& palette = {}) {
  const uint32_t stride = (static_cast<uint32_t>(width) * bpp + 31) / 32 * 4;
  const uint32_t offset = 14 + 40 + 4 * static_cast<uint32_t>(palette.size());
  std::vector<uint8_t> b = {'B', 'M'};
  put32(b, offset + stride * static_cast<uint32_t>(height));
  put32(b, 0);
  put32(b, offset);
  put32(b, 40);
  put32(b, static_cast<uint32_t>(width));
  put32(b, static_cast<uint32_t>(top_down ? -height : height));
  put16(b, 1);
  put16(b, static_cast<uint32_t>(bpp));
  put32(b, 0);  // BI_RGB
  put32(b, stride * static_cast<uint32_t>(height));
  put32(b, 2835);
  put32(b, 2835);
  put32(b, static_cast<uint32_t>(palette.size()));
  put32(b, 0);
  for (uint32_t c : palette) put32(b, c);  // 0x00RRGGBB as B, G, R, 0
  for (int i = 0; i < height; ++i) {
    const auto& row = rows[static_cast<size_t>(top_down ? i : height - 1 - i)];
    std::vector<uint8_t> padded = row;
    padded.resize(stride, 0);
    b.insert(b.end(), padded.begin(), padded.end());
  }
  return b;
}

std::vector<uint32_t> gray_palette() {
  std::vector<uint32_t> p;
  for (uint32_t i = 0; i < 256; ++i) p.push_back(i << 16 | i << 8 | i);
  return p;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    decode_image(bytes, "img.bmp");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ImageFile, GrayBmpBottomUpAndTopDown) {
  // 3x2 (stride padded to 4).
  const std::vector<std::vector<uint8_t>> rows = {{1, 2, 3}, {4, 5, 6}};
  for (bool top_down : {false, true}) {
    const Image img = decode_image(make_bmp(3, 2, 8, top_down, rows, gray_palette()), "g.bmp");
    EXPECT_EQ(img.width, 3);
    EXPECT_EQ(img.height, 2);
    EXPECT_EQ(img.format, PixelFormat::kGray8);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6})) << top_down;
  }
}

TEST(ImageFile, ColourPaletteBmpDecodesToRgb) {
  const Image img = decode_image(
      make_bmp(2, 1, 8, false, {{1, 0}}, {0x000000, 0xff8001}), "p.bmp");
  EXPECT_EQ(img.format, PixelFormat::kRgb888);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{0xff, 0x80, 0x01, 0, 0, 0}));
}

TEST(ImageFile, Bgr24Bmp) {
  // 2x2: rows top-down, pixels B, G, R; stride 8.
  const std::vector<std::vector<uint8_t>> rows = {{3, 2, 1, 6, 5, 4}, {9, 8, 7, 12, 11, 10}};
  for (bool top_down : {false, true}) {
    const Image img = decode_image(make_bmp(2, 2, 24, top_down, rows), "c.bmp");
    EXPECT_EQ(img.format, PixelFormat::kRgb888);
    EXPECT_EQ(img.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  }
}

TEST(ImageFile, PgmAndPpm) {
  const std::string pgm = "P5\n# a comment\n3 1\n255\n\x01\x02\xff";
  Image g = decode_image({reinterpret_cast<const uint8_t*>(pgm.data()), pgm.size()}, "a.pgm");
  EXPECT_EQ(g.format, PixelFormat::kGray8);
  EXPECT_EQ(g.pixels, (std::vector<uint8_t>{1, 2, 255}));
  // Round trip through the encoder.
  const std::vector<uint8_t> again = encode_pnm(g);
  EXPECT_EQ(decode_image(again, "b.pgm").pixels, g.pixels);

  const std::string ppm("P6 1 2 15\n\x0f\x00\x01\x02\x03\x04", 16);
  Image c = decode_image({reinterpret_cast<const uint8_t*>(ppm.data()), ppm.size()}, "a.ppm");
  EXPECT_EQ(c.format, PixelFormat::kRgb888);
  EXPECT_EQ(c.width, 1);
  EXPECT_EQ(c.height, 2);
  // maxval 15 rescaled: v * 255 / 15 = 17 v.
  EXPECT_EQ(c.pixels, (std::vector<uint8_t>{255, 0, 17, 34, 51, 68}));
}

TEST(ImageFile, ClearErrorsForBadFiles) {
  auto bmp = make_bmp(4, 4, 8, false, std::vector<std::vector<uint8_t>>(4, {0, 0, 0, 0}),
                      gray_palette());
  auto truncated = bmp;
  truncated.resize(truncated.size() - 3);
  EXPECT_EQ(error_of(truncated),
            "img.bmp: truncated BMP: 4x4 at 8 bits per pixel needs 1094 bytes, the file has 1091");
  EXPECT_EQ(error_of({'B', 'M', 0, 0}), "img.bmp: truncated BMP: 4 bytes, the headers alone need 54");
  auto bpp16 = bmp;
  bpp16[28] = 16;
  EXPECT_EQ(error_of(bpp16), "img.bmp: BMP with 16 bits per pixel is not supported (8, 24 or 32)");
  auto rle = bmp;
  rle[30] = 1;
  EXPECT_EQ(error_of(rle), "img.bmp: compressed BMP (compression 1) is not supported");
  auto huge = bmp;
  huge[21] = 0x7f;
  EXPECT_NE(error_of(huge).find("is not supported (each side must be 1..32768)"), std::string::npos);
  auto small_palette = make_bmp(1, 1, 8, false, {{5}}, {0, 0x010101});
  EXPECT_EQ(error_of(small_palette),
            "img.bmp: corrupt BMP: pixel (0, 0) uses colour 5 of a 2-colour palette");

  auto pnm = [](const std::string& s) {
    return error_of(std::vector<uint8_t>(s.begin(), s.end()));
  };
  EXPECT_EQ(pnm("P5\n4 4\n255\n\x01\x02"),
            "img.bmp: truncated PGM: 4x4 needs 16 bytes of pixels, the file has 2");
  EXPECT_EQ(pnm("P6\n4"), "img.bmp: truncated PNM header: missing height");
  EXPECT_EQ(pnm("P5\n4 x\n"), "img.bmp: corrupt PNM header: expected the height at byte 5, got 'x'");
  EXPECT_EQ(pnm(std::string("P5 1 1 65535\n\x00\x00", 14)),
            "img.bmp: 16-bit PNM (maximum value 65535) is not supported, only 8-bit");
  EXPECT_EQ(pnm("P2 1 1 255\n0"),
            "img.bmp: ASCII or bitmap PNM (P2) is not supported, only binary P5 (PGM) and P6 (PPM)");
  EXPECT_EQ(pnm("GIF89a"), "img.bmp: unknown image format (expected BMP, or binary PGM/PPM)");
  try {
    read_image("/nonexistent/x.bmp");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.bmp: cannot open");
  }
}

// The real TFLM person_detection images, read by the BMP reader, through the
// image preprocessor (identity size, raw bytes) and the imported model.
class PersonDetection : public ::testing::Test {
 protected:
  static std::string data_dir() {
    const char* dir = std::getenv("LOCUS_TEST_DATA");
    return dir == nullptr ? std::string() : std::string(dir) + "/tflm_person_detection/";
  }

  static std::vector<int8_t> scores(const LoadedCapsule& loaded, const std::string& bmp) {
    const Image image = read_image(bmp);
    EXPECT_EQ(image.width, 96);
    EXPECT_EQ(image.height, 96);
    EXPECT_EQ(image.format, dsp::PixelFormat::kGray8);

    dsp::ImagePreprocessConfig config = dsp::ImagePreprocessConfig::defaults();
    config.output_width = 96;
    config.output_height = 96;
    config.output_channels = 1;
    config.crop = dsp::ImageCrop::kNone;
    config.resize = dsp::ImageResize::kBilinear;
    config.quantization = dsp::ImageQuantization::kRawBytes;
    std::vector<uint8_t> state(dsp::ImagePreprocessor::state_bytes(config));
    dsp::ImagePreprocessor pre;
    Status s = pre.init(config, state.data(), state.size());
    EXPECT_TRUE(s.is_ok()) << s.message();

    AlignedBuffer arena(loaded.capsule.arena_bytes());
    Engine engine;
    s = engine.init(loaded.capsule, arena.data(), arena.size());
    EXPECT_TRUE(s.is_ok()) << s.message();
    const TensorView in = engine.input(0);
    EXPECT_EQ(in.bytes, pre.output_bytes());
    if (in.bytes != pre.output_bytes()) return {};
    s = pre.process(image.pixels.data(), image.width, image.height, image.format,
                    in.as<int8_t>());
    EXPECT_TRUE(s.is_ok()) << s.message();
    // Identity size and raw bytes: the input is the BMP's pixels, top-down.
    EXPECT_EQ(std::memcmp(in.data, image.pixels.data(), in.bytes), 0);
    s = engine.invoke();
    EXPECT_TRUE(s.is_ok()) << s.message();
    const TensorView out = engine.output(0);
    return {out.as<int8_t>(), out.as<int8_t>() + out.bytes};
  }
};

TEST_F(PersonDetection, ClassifiesTheReferenceImages) {
  const std::string dir = data_dir();
  if (dir.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; this test needs the datasets";
  if (!std::ifstream(dir + "person.bmp")) {
    GTEST_SKIP() << dir << "person.bmp is missing; this test needs the datasets";
  }
  const AlignedBuffer model = read_file(dir + "person_detect.tflite");
  CapsuleSpec spec;
  spec.identity.name = "person_detect";
  spec.graph = import_tflite(model.span());
  const BuiltCapsule built = build_capsule(std::move(spec));
  const LoadedCapsule loaded = open_capsule(copy_to_aligned(built.bytes), "person_detect");

  // Outputs: no_person, person.
  const std::vector<int8_t> person = scores(loaded, dir + "person.bmp");
  const std::vector<int8_t> nobody = scores(loaded, dir + "no_person.bmp");
  ASSERT_EQ(person.size(), 2u);
  ASSERT_EQ(nobody.size(), 2u);
  EXPECT_GT(person[1], person[0]);
  EXPECT_GT(nobody[0], nobody[1]);
  // TFLM gives [-113, 113] and [57, -57] for these bytes.
  EXPECT_EQ(person, (std::vector<int8_t>{-113, 113}));
  EXPECT_EQ(nobody, (std::vector<int8_t>{57, -57}));
}

}  // namespace
}  // namespace locus::host
