// Literals, arrays and the DSP configuration for generated code.
#include "host/codegen/cpp_emitter.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "host/common/error.h"

namespace locus::host::codegen {

std::string float_literal(float v) {
  if (v != v || v - v != 0.0f) fail("codegen: cannot write a non-finite float constant");
  char text[64];
  std::snprintf(text, sizeof(text), "%af", static_cast<double>(v));
  return text;
}

std::string int_literal(int64_t v) {
  // -2147483648 would be unary minus on a long constant; keep it int32.
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(v);
}

std::string string_literal(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\%03o", c);  // octal: never swallows a following digit
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const char* c_type(schema::TensorType type) {
  switch (type) {
    case schema::TensorType::Float32: return "float";
    case schema::TensorType::Int8: return "int8_t";
    case schema::TensorType::Int16: return "int16_t";
    case schema::TensorType::Int32: return "int32_t";
    case schema::TensorType::UInt8: return "uint8_t";
  }
  fail("codegen: unknown tensor type ", static_cast<int>(type));
}

size_t type_bytes(schema::TensorType type) {
  switch (type) {
    case schema::TensorType::Float32:
    case schema::TensorType::Int32: return 4;
    case schema::TensorType::Int16: return 2;
    case schema::TensorType::Int8:
    case schema::TensorType::UInt8: return 1;
  }
  fail("codegen: unknown tensor type ", static_cast<int>(type));
}

void emit_array(std::ostringstream& out, const std::string& name, schema::TensorType type,
                const uint8_t* data, size_t bytes) {
  const size_t width = type_bytes(type);
  if (bytes % width != 0) fail("codegen: ", name, " has ", bytes, " bytes, not whole values");
  const size_t count = bytes / width;
  out << "alignas(16) const " << c_type(type) << " " << name << "[" << (count ? count : 1)
      << "] = {";
  const size_t per_line = width == 1 ? 20 : 8;
  for (size_t i = 0; i < count; ++i) {
    out << (i % per_line == 0 ? "\n    " : " ");
    const uint8_t* p = data + i * width;  // capsule data is little-endian
    switch (type) {
      case schema::TensorType::Int8: out << static_cast<int>(static_cast<int8_t>(p[0])); break;
      case schema::TensorType::UInt8: out << static_cast<int>(p[0]); break;
      case schema::TensorType::Int16:
        out << static_cast<int16_t>(p[0] | (p[1] << 8));
        break;
      case schema::TensorType::Int32:
        out << int_literal(static_cast<int32_t>(uint32_t{p[0]} | uint32_t{p[1]} << 8 |
                                                uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24));
        break;
      case schema::TensorType::Float32: {
        const uint32_t bits =
            uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
        float v;
        std::memcpy(&v, &bits, 4);
        out << float_literal(v);
        break;
      }
    }
    out << ",";
  }
  out << (count ? "\n" : "0") << "};\n";
}

namespace {

class ConfigWriter {
 public:
  explicit ConfigWriter(std::string prefix) : prefix_(std::move(prefix)) {}
  ConfigWriter& i(const char* field, int64_t v) { return line(field, int_literal(v)); }
  ConfigWriter& b(const char* field, bool v) { return line(field, v ? "true" : "false"); }
  ConfigWriter& f(const char* field, float v) { return line(field, float_literal(v)); }
  template <typename E>
  ConfigWriter& e(const char* field, const char* type, E v) {
    return line(field, std::string("static_cast<::") + type + ">(" +
                           std::to_string(static_cast<int>(v)) + ")");
  }
  std::string text() const { return out_.str(); }

 private:
  ConfigWriter& line(const char* field, const std::string& value) {
    out_ << "  c." << prefix_ << field << " = " << value << ";\n";
    return *this;
  }
  std::string prefix_;
  std::ostringstream out_;
};

// The fields every spectral block config has (spectrogram, MFE, MFCC).
template <typename C>
void spectral_common(ConfigWriter& w, const C& c) {
  w.i("sample_rate", c.sample_rate).i("frame_length", c.frame_length)
      .i("frame_step", c.frame_step).i("fft_length", c.fft_length)
      .e("window", "locus::dsp::Window", c.window)
      .e("spectrum", "locus::dsp::SpectrumType", c.spectrum)
      .e("log", "locus::dsp::LogScale", c.log).f("log_offset", c.log_offset)
      .e("arithmetic", "locus::dsp::Arithmetic", c.arithmetic)
      .i("fixed_frac_bits", c.fixed_frac_bits);
}

}  // namespace

std::string emit_dsp_config(const DspBlockConfig& config) {
  ConfigWriter top("");
  top.e("kind", "locus::DspBlockKind", config.kind)
      .i("implementation_version", config.implementation_version)
      .i("sample_rate_hz", config.sample_rate_hz);
  std::string text = top.text();
  switch (config.kind) {
    case DspBlockKind::kAudioFrontend: {
      const dsp::AudioFrontendConfig& a = config.audio;
      ConfigWriter w("audio.");
      w.i("window_ms", a.window_ms).i("step_ms", a.step_ms).i("channels", a.channels)
          .f("lower_band_hz", a.lower_band_hz).f("upper_band_hz", a.upper_band_hz)
          .i("smoothing_bits", a.smoothing_bits).f("even_smoothing", a.even_smoothing)
          .f("odd_smoothing", a.odd_smoothing).f("min_signal_remaining", a.min_signal_remaining)
          .b("enable_pcan", a.enable_pcan).f("pcan_strength", a.pcan_strength)
          .f("pcan_offset", a.pcan_offset).i("pcan_gain_bits", a.pcan_gain_bits)
          .b("enable_log", a.enable_log).i("log_scale_shift", a.log_scale_shift)
          .e("table_arithmetic", "locus::dsp::frontend::TableArithmetic", a.table_arithmetic);
      ConfigWriter tail("");
      tail.b("int8_output", config.int8_output);
      return text + w.text() + tail.text();
    }
    case DspBlockKind::kSpectrogram: {
      ConfigWriter w("spectrogram.");
      spectral_common(w, config.spectrogram);
      w.f("noise_floor_db", config.spectrogram.noise_floor_db)
          .b("normalize_noise_floor", config.spectrogram.normalize_noise_floor);
      text += w.text();
      break;
    }
    case DspBlockKind::kMfe: {
      ConfigWriter w("mfe.");
      spectral_common(w, config.mfe);
      w.i("mel_bands", config.mfe.mel_bands).f("lower_hz", config.mfe.lower_hz)
          .f("upper_hz", config.mfe.upper_hz).f("noise_floor_db", config.mfe.noise_floor_db)
          .b("normalize_noise_floor", config.mfe.normalize_noise_floor);
      text += w.text();
      break;
    }
    case DspBlockKind::kMfcc: {
      ConfigWriter w("mfcc.");
      spectral_common(w, config.mfcc);
      w.i("mel_bands", config.mfcc.mel_bands).f("lower_hz", config.mfcc.lower_hz)
          .f("upper_hz", config.mfcc.upper_hz).i("coefficients", config.mfcc.coefficients);
      text += w.text();
      break;
    }
    case DspBlockKind::kImuFeatures:
    case DspBlockKind::kImagePreprocess:
      fail("codegen: dsp block 0 (", dsp_block_kind_name(config.kind),
           "): the generator cannot bake this block in yet; use --model-only and configure "
           "the block from the capsule");
  }
  ConfigWriter tail("");
  tail.b("quantize", config.quantize).f("quant_scale", config.quant_scale)
      .i("quant_zero_point", config.quant_zero_point);
  return text + tail.text();
}

}  // namespace locus::host::codegen
