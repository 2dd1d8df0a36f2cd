// Edge Impulse files: conversions to and from recordings, import into a
// dataset folder, export of a dataset.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/dataset/edge_impulse.h"
#include "host/dataset/manifest.h"

namespace locus::host {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxImuAxes = 9;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The shortest text that reads back as the same value.
template <typename T>
std::string shortest(T v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// A float's shortest decimal as a double (0.15f -> 0.15, not 0.150000006).
double float_as_decimal(float v) {
  const std::string text = shortest(v);
  double d = 0.0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

std::string guess_units(const std::string& axis) {
  const std::string a = lower(axis);
  if (a.rfind("acc", 0) == 0) return "m/s2";
  if (a.rfind("gyr", 0) == 0) return "dps";
  if (a.rfind("mag", 0) == 0) return "uT";
  return "N/A";
}

bool has_extension(const fs::path& p, std::initializer_list<const char*> exts) {
  const std::string ext = lower(p.extension().string());
  return std::any_of(exts.begin(), exts.end(), [&](const char* e) { return ext == e; });
}

void check_label(const std::string& label, const std::string& origin) {
  if (label.empty()) fail(origin, ": empty label");
  if (label[0] == '.' || label.find_first_of("/\\") != std::string::npos) {
    fail(origin, ": label '", label, "' cannot be a folder name");
  }
}

std::vector<fs::path> ei_files(const std::string& source) {
  std::error_code ec;
  if (fs::is_regular_file(source, ec)) return {fs::path(source)};
  if (!fs::is_directory(source, ec)) fail(source, ": no such file or folder");
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(source, ec);
  if (ec) fail(source, ": cannot list (", ec.message(), ")");
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) fail(source, ": cannot list (", ec.message(), ")");
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && has_extension(it->path(), {".json", ".cbor"})) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) fail(source, ": no .json or .cbor files");
  return files;
}

// One file's output, converted; `bytes` empty for audio (written as WAV).
struct Converted {
  bool audio = false;
  Audio wav;
  std::string csv;
};

Converted convert(const EiSample& sample, const std::string& origin) {
  Converted c;
  c.audio = sample.is_audio();
  if (c.audio) {
    c.wav = audio_from_ei(sample, origin);
  } else {
    c.csv = imu_csv_from_ei(sample, origin);
  }
  return c;
}

struct Planned {
  fs::path source;
  fs::path output_stem;  // OUT/LABEL/NAME, extension added once the kind is known
};

}  // namespace

EiSample ei_from_audio(const Audio& audio) {
  if (audio.sample_rate == 0) fail("Edge Impulse: audio without a sample rate");
  EiSample s;
  s.interval_ms = 1000.0 / audio.sample_rate;
  s.sensors = {{"audio", "wav"}};
  s.values.assign(audio.samples.begin(), audio.samples.end());
  return s;
}

EiSample ei_from_imu(const ImuRecording& imu, const std::string& origin) {
  if (imu.sample_rate_hz <= 0.0) {
    fail(origin,
         ": no timestamp column, so the sampling interval that Edge Impulse needs is "
         "unknown (add a timestamp column in ms)");
  }
  if (imu.frames() == 0) fail(origin, ": no rows");
  EiSample s;
  s.interval_ms = std::round(1000.0 / imu.sample_rate_hz * 1e9) / 1e9;
  for (const std::string& axis : imu.axis_names) s.sensors.push_back({axis, guess_units(axis)});
  s.values.reserve(imu.samples.size());
  for (float v : imu.samples) s.values.push_back(float_as_decimal(v));
  return s;
}

Audio audio_from_ei(const EiSample& sample, const std::string& origin) {
  if (!sample.is_audio()) {
    fail(origin, ": not audio (expected one sensor with units 'wav', found ", sample.sensors.size(),
         " sensor(s))");
  }
  const double rate = 1000.0 / sample.interval_ms;
  if (!(rate >= 1.0 && rate <= 1e6)) {
    fail(origin, ": payload.interval_ms ", sample.interval_ms, " gives a sample rate of ", rate,
         " Hz");
  }
  Audio audio;
  audio.sample_rate = static_cast<uint32_t>(std::lround(rate));
  audio.source_rate = audio.sample_rate;
  audio.source_channels = 1;
  audio.samples.reserve(sample.values.size());
  for (size_t i = 0; i < sample.values.size(); ++i) {
    const double v = std::nearbyint(sample.values[i]);
    if (v < -32768.0 || v > 32767.0) {
      fail(origin, ": payload.values[", i, "] = ", sample.values[i],
           " is outside the 16-bit audio range -32768..32767");
    }
    audio.samples.push_back(static_cast<int16_t>(v));
  }
  return audio;
}

std::string imu_csv_from_ei(const EiSample& sample, const std::string& origin) {
  if (sample.sensors.size() > kMaxImuAxes) {
    fail(origin, ": ", sample.sensors.size(), " sensors; an IMU CSV holds at most ", kMaxImuAxes,
         " axes");
  }
  std::string out = "timestamp";
  for (const EiSensor& sensor : sample.sensors) {
    const std::string& n = sensor.name;
    if (n.find_first_of(",\"\r\n") != std::string::npos || n.front() == ' ' || n.back() == ' ') {
      fail(origin, ": sensor name '", n, "' cannot be a CSV column name");
    }
    out += "," + n;
  }
  out += "\n";
  const size_t axes = sample.sensors.size();
  for (size_t f = 0; f < sample.frames(); ++f) {
    out += shortest(static_cast<double>(f) * sample.interval_ms);
    for (size_t a = 0; a < axes; ++a) {
      const double v = sample.values[f * axes + a];
      if (std::fabs(v) > 3.4028234663852886e38) {
        fail(origin, ": payload.values[", f, "][", a, "] = ", v, " does not fit a float");
      }
      out += "," + shortest(static_cast<float>(v));
    }
    out += "\n";
  }
  return out;
}

EiImportResult import_edge_impulse(const std::string& source, const std::string& out_dir,
                                   const EiImportOptions& options) {
  if (!options.label.empty()) check_label(options.label, "--label");
  const std::vector<fs::path> files = ei_files(source);
  EiImportResult result;

  // Pass 1: decode, verify and convert every file, and plan the outputs, so
  // a bad file stops the import before anything is written.
  std::vector<Planned> plan;
  std::set<fs::path> outputs;
  for (const fs::path& file : files) {
    const std::string origin = file.string();
    const AlignedBuffer bytes = read_file(origin);
    const EiSample sample = decode_ei(bytes.span(), origin);
    switch (check_ei_signature(bytes.span(), sample, options.hmac_key)) {
      case EiSignatureCheck::kInvalid:
        fail(origin,
             ": signature does not match the HMAC key (the file was changed after "
             "signing, or signed with another key)");
      case EiSignatureCheck::kUnsigned:
        if (!options.hmac_key.empty()) {
          fail(origin, ": not signed (alg none), but an HMAC key was given to verify it");
        }
        break;
      case EiSignatureCheck::kUnverified:
        result.warnings.push_back(origin +
                                  ": signed (HS256) but no HMAC key was given; not verified");
        break;
      case EiSignatureCheck::kValid:
        result.verified++;
        break;
    }
    const Converted converted = convert(sample, origin);

    std::string stem = file.stem().string();
    std::string label = options.label, name = stem;
    if (label.empty()) {
      const size_t dot = stem.find('.');
      label = stem.substr(0, dot);
      if (dot != std::string::npos && dot + 1 < stem.size()) name = stem.substr(dot + 1);
    }
    check_label(label, origin);
    if (name[0] == '.') name[0] = '_';
    fs::path output = fs::path(out_dir) / label / (name + (converted.audio ? ".wav" : ".csv"));
    std::error_code ec;
    if (fs::exists(output, ec)) {
      fail(origin, ": ", output.string(), " already exists (import into an empty folder)");
    }
    if (!outputs.insert(output).second) {
      fail(origin, ": another file also becomes ", output.string());
    }
    plan.push_back({file, output});
  }

  // Pass 2: write.
  for (const Planned& p : plan) {
    const std::string origin = p.source.string();
    const AlignedBuffer bytes = read_file(origin);
    const Converted converted = convert(decode_ei(bytes.span(), origin), origin);
    std::error_code ec;
    fs::create_directories(p.output_stem.parent_path(), ec);
    if (ec) fail(p.output_stem.parent_path().string(), ": cannot create (", ec.message(), ")");
    if (converted.audio) {
      write_wav(p.output_stem.string(), converted.wav);
      result.audio_files++;
    } else {
      write_file_atomic(
          p.output_stem.string(),
          std::span(reinterpret_cast<const uint8_t*>(converted.csv.data()), converted.csv.size()));
      result.imu_files++;
    }
    result.written.push_back(p.output_stem.string());
  }
  return result;
}

EiExportResult export_edge_impulse(const Dataset& dataset, const std::string& out_dir,
                                   const EiExportOptions& options) {
  std::string split;
  if (!options.split.empty()) {
    split = normalize_split_name(options.split);
    if (split == "?") fail("export: split '", options.split, "' is not train, validation or test");
  }
  std::vector<const Sample*> selected;
  for (const Sample& s : dataset.samples) {
    if (split.empty() || s.split == split) selected.push_back(&s);
  }
  if (selected.empty()) {
    fail(dataset.root, ": no samples", split.empty() ? "" : " in split " + split);
  }
  const std::string ext = options.encoding == EiEncoding::kCbor ? ".cbor" : ".json";
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) fail(out_dir, ": cannot create (", ec.message(), ")");

  EiExportResult result;
  std::set<std::string> used;
  for (const Sample* s : selected) {
    if (s->label.find('.') != std::string::npos) {
      fail(s->path, ": label '", s->label,
           "' contains '.', which the Edge Impulse file name (LABEL.NAME", ext, ") cannot carry");
    }
    check_label(s->label, s->path);
    EiSample sample;
    const fs::path path(s->path);
    if (has_extension(path, {".wav", ".flac", ".ogg"})) {
      sample = ei_from_audio(read_audio(s->path));
    } else if (has_extension(path, {".csv"})) {
      sample = ei_from_imu(read_imu_csv(s->path), s->path);
    } else {
      fail(s->path, ": cannot export: not audio (.wav, .flac, .ogg) or IMU CSV (.csv)");
    }
    sample.device_type = options.device_type;
    sample.device_name = options.device_name;
    sample.iat = options.iat;

    const std::string base = s->label + "." + path.stem().string();
    std::string name = base + ext;
    for (int n = 2; !used.insert(name).second; ++n) name = base + "_" + std::to_string(n) + ext;
    const fs::path output = fs::path(out_dir) / name;
    if (fs::exists(output, ec)) {
      fail(output.string(), ": already exists (export into an empty folder)");
    }
    write_file_atomic(output.string(), encode_ei(sample, options.encoding, options.hmac_key));
    result.written.push_back(output.string());
  }
  return result;
}

}  // namespace locus::host
