// Edge Impulse's data acquisition format, in JSON or CBOR:
//
//   {"protected": {"ver": "v1", "alg": "HS256" | "none", "iat": SECONDS},
//    "signature": "<64 hex digits>",
//    "payload": {"device_name": "...", "device_type": "...", "interval_ms": 10,
//                "sensors": [{"name": "accX", "units": "m/s2"}, ...],
//                "values": [[x, y, z], ...]   (or [v, v, ...] for one axis)}}
//
// Audio is one sensor with units "wav", int16 values, interval_ms =
// 1000 / sample rate. Signing (alg HS256): encode the document with the
// signature set to 64 '0' characters, HMAC-SHA256 the encoded bytes with the
// key (its UTF-8 bytes), put the lower-case hex digest in the signature and
// encode again. Verification undoes that on the file's own bytes.
//
// Files are named LABEL.NAME.json / LABEL.NAME.cbor: the label is the file
// name up to the first '.'.
#ifndef LOCUS_HOST_DATASET_EDGE_IMPULSE_H_
#define LOCUS_HOST_DATASET_EDGE_IMPULSE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/dataset/dataset.h"
#include "host/sensors/imu_csv.h"

namespace locus::host {

enum class EiEncoding { kJson, kCbor };

struct EiSensor {
  std::string name;
  std::string units;
};

// One data acquisition document.
struct EiSample {
  std::string alg = "none";  // HS256 or none
  std::optional<int64_t> iat;
  std::string signature;    // as found when decoding; encode_ei computes it
  std::string device_name;  // optional
  std::string device_type;
  double interval_ms = 0.0;
  std::vector<EiSensor> sensors;
  std::vector<double> values;  // frame-major, sensors.size() values per frame

  size_t frames() const { return sensors.empty() ? 0 : values.size() / sensors.size(); }
  bool is_audio() const;  // one sensor with units "wav"
};

// Encodes the document, signed (alg HS256) when `hmac_key` is not empty,
// else with alg none and a signature of 64 zeros.
std::vector<uint8_t> encode_ei(const EiSample& sample, EiEncoding encoding,
                               std::string_view hmac_key = {});

// JSON when the first non-blank byte is ASCII, else CBOR. Throws Error naming
// `origin` and the field for malformed input (truncated or invalid CBOR or
// JSON, nesting deeper than 64, missing fields, wrong types, non-finite
// numbers, rows of the wrong width).
EiSample decode_ei(std::span<const uint8_t> bytes, const std::string& origin,
                   EiEncoding* encoding = nullptr);

enum class EiSignatureCheck {
  kUnsigned,    // alg none
  kUnverified,  // HS256 but no key to check it with
  kValid,
  kInvalid,  // HS256 and the key does not give the signature
};
EiSignatureCheck check_ei_signature(std::span<const uint8_t> bytes, const EiSample& sample,
                                    std::string_view hmac_key);

// Lower-case hex HMAC-SHA256 of `data` (libsodium; keys of any length).
std::string hmac_sha256_hex(std::span<const uint8_t> data, std::string_view key);

// Conversions. Audio must be mono int16 (rounded, range-checked); IMU needs a
// rate (timestamps) and at most 9 axes. `origin` names the source in errors.
EiSample ei_from_audio(const Audio& audio);
EiSample ei_from_imu(const ImuRecording& imu, const std::string& origin);
Audio audio_from_ei(const EiSample& sample, const std::string& origin);
// CSV text that read_imu_csv reads: timestamp (ms) then one column per sensor.
std::string imu_csv_from_ei(const EiSample& sample, const std::string& origin);

struct EiImportOptions {
  std::string hmac_key;  // verify signatures; files that fail are rejected
  std::string label;     // every file gets this label instead of its name's
};

struct EiImportResult {
  std::vector<std::string> written;  // files created, in source order
  size_t audio_files = 0;
  size_t imu_files = 0;
  size_t verified = 0;                // signatures checked with the key
  std::vector<std::string> warnings;  // e.g. signed files that could not be verified
};

// `source` is a .json/.cbor file or a folder searched recursively for them.
// Each becomes OUT/LABEL/NAME.wav (audio) or OUT/LABEL/NAME.csv (IMU), NAME
// being the file name without the label prefix and extension. Every file is
// decoded and checked before anything is written; nothing is overwritten.
// Throws Error naming the file for malformed files, a signature that does not
// match the key, an unsigned file when a key is given, or an existing output.
EiImportResult import_edge_impulse(const std::string& source, const std::string& out_dir,
                                   const EiImportOptions& options = {});

struct EiExportOptions {
  EiEncoding encoding = EiEncoding::kJson;
  std::string hmac_key;  // sign when not empty
  std::string split;     // only samples of this split; empty: all
  std::string device_type = "locus";
  std::string device_name;     // omitted when empty
  std::optional<int64_t> iat;  // omitted when unset
};

struct EiExportResult {
  std::vector<std::string> written;
};

// One file per sample (audio: .wav/.flac/.ogg, IMU: .csv) named
// LABEL.STEM.json or .cbor in `out_dir`. Throws Error for unreadable
// recordings, labels that cannot be carried in a file name, an empty
// selection or an existing output file.
EiExportResult export_edge_impulse(const Dataset& dataset, const std::string& out_dir,
                                   const EiExportOptions& options = {});

}  // namespace locus::host

#endif  // LOCUS_HOST_DATASET_EDGE_IMPULSE_H_
