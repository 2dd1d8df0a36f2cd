#include "host/dataset/edge_impulse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/dataset/dataset_testing.h"

namespace locus::host {
namespace {

using testing::error_of;
using testing::TempDir;
using testing::write_text;
using testing::write_tone;
namespace fs = std::filesystem;


std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

EiSample accelerometer() {
  EiSample s;
  s.device_name = "ac:87:a3:0a:2d:1b";
  s.device_type = "DISCO-L475VG-IOT01A";
  s.interval_ms = 10;
  s.iat = 1564128599;
  s.sensors = {{"accX", "m/s2"}, {"accY", "m/s2"}, {"accZ", "m/s2"}};
  s.values = {-9.81, 0.03, 1.21, -9.83, 0.04, 1.27, -9.12, 0.03, 1.23, -9.14, 0.01, 1.25};
  return s;
}

TEST(EdgeImpulse, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hmac_sha256_hex(bytes_of("what do ya want for nothing?"), "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than the block size is hashed first (RFC 4231 case 6).
  EXPECT_EQ(hmac_sha256_hex(bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"),
                            std::string(131, '\xaa')),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(EdgeImpulse, JsonDocumentLayout) {
  const std::vector<uint8_t> bytes = encode_ei(accelerometer(), EiEncoding::kJson);
  const nlohmann::json j = nlohmann::json::parse(bytes);
  EXPECT_EQ(j["protected"], (nlohmann::json{{"ver", "v1"}, {"alg", "none"}, {"iat", 1564128599}}));
  EXPECT_EQ(j["signature"], std::string(64, '0'));
  EXPECT_EQ(j["payload"]["device_type"], "DISCO-L475VG-IOT01A");
  EXPECT_EQ(j["payload"]["interval_ms"], 10);
  EXPECT_EQ(j["payload"]["sensors"][2], (nlohmann::json{{"name", "accZ"}, {"units", "m/s2"}}));
  EXPECT_EQ(j["payload"]["values"][1], (nlohmann::json{-9.83, 0.04, 1.27}));
  const std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.rfind("{\"protected\":{\"ver\":\"v1\"", 0), 0u) << text;
}

TEST(EdgeImpulse, RoundTripsBothEncodingsSignedAndNot) {
  for (EiEncoding encoding : {EiEncoding::kJson, EiEncoding::kCbor}) {
    for (const std::string key : {"", "a-secret-hmac-key"}) {
      const EiSample in = accelerometer();
      const std::vector<uint8_t> bytes = encode_ei(in, encoding, key);
      EXPECT_EQ(bytes[0] == '{', encoding == EiEncoding::kJson);
      EiEncoding found;
      const EiSample out = decode_ei(bytes, "doc", &found);
      EXPECT_EQ(found, encoding);
      EXPECT_EQ(out.alg, key.empty() ? "none" : "HS256");
      EXPECT_EQ(out.iat, in.iat);
      EXPECT_EQ(out.device_name, in.device_name);
      EXPECT_EQ(out.device_type, in.device_type);
      EXPECT_EQ(out.interval_ms, in.interval_ms);
      ASSERT_EQ(out.sensors.size(), 3u);
      EXPECT_EQ(out.sensors[1].name, "accY");
      EXPECT_EQ(out.values, in.values);
      if (key.empty()) {
        EXPECT_EQ(check_ei_signature(bytes, out, ""), EiSignatureCheck::kUnsigned);
      } else {
        EXPECT_EQ(out.signature.size(), 64u);
        EXPECT_EQ(check_ei_signature(bytes, out, key), EiSignatureCheck::kValid);
        EXPECT_EQ(check_ei_signature(bytes, out, "another-key"), EiSignatureCheck::kInvalid);
        EXPECT_EQ(check_ei_signature(bytes, out, ""), EiSignatureCheck::kUnverified);
      }
    }
  }
}

TEST(EdgeImpulse, TamperedFilesFailVerification) {
  const std::string key = "k";
  std::vector<uint8_t> json = encode_ei(accelerometer(), EiEncoding::kJson, key);
  std::string text(json.begin(), json.end());
  text.replace(text.find("-9.83"), 5, "-9.84");
  EiSample doc = decode_ei(bytes_of(text), "t.json");
  EXPECT_EQ(check_ei_signature(bytes_of(text), doc, key), EiSignatureCheck::kInvalid);

  std::vector<uint8_t> cbor = encode_ei(accelerometer(), EiEncoding::kCbor, key);
  const std::string name = "DISCO";
  auto at = std::search(cbor.begin(), cbor.end(), name.begin(), name.end());
  ASSERT_NE(at, cbor.end());
  *at = 'd';
  doc = decode_ei(cbor, "t.cbor");
  EXPECT_EQ(doc.device_type, "dISCO-L475VG-IOT01A");
  EXPECT_EQ(check_ei_signature(cbor, doc, key), EiSignatureCheck::kInvalid);

  // A changed signature is caught too.
  cbor = encode_ei(accelerometer(), EiEncoding::kCbor, key);
  doc = decode_ei(cbor, "t.cbor");
  doc.signature[0] = doc.signature[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(check_ei_signature(cbor, doc, key), EiSignatureCheck::kInvalid);
}

// Files written by other tools: Python's json.dumps spacing and key order,
// and CBOR with keys in another order, signed by the spec's rule.
TEST(EdgeImpulse, VerifiesForeignFormattingByTheSpecRule) {
  const std::string zeros(64, '0');
  const std::string key = "ei-project-hmac";
  std::string text =
      "{\"protected\": {\"ver\": \"v1\", \"alg\": \"HS256\", \"iat\": 1564128599}, "
      "\"signature\": \"" +
      zeros +
      "\", \"payload\": {\"device_type\": \"X\", "
      "\"interval_ms\": 0.0625, \"sensors\": [{\"name\": \"audio\", \"units\": \"wav\"}], "
      "\"values\": [1, -2, 3]}}";
  const std::string signature = hmac_sha256_hex(bytes_of(text), key);
  text.replace(text.find(zeros), 64, signature);
  EiSample doc = decode_ei(bytes_of(text), "py.json");
  EXPECT_TRUE(doc.is_audio());
  EXPECT_EQ(check_ei_signature(bytes_of(text), doc, key), EiSignatureCheck::kValid);

  nlohmann::json j = nlohmann::json::parse(text);  // keys sorted: payload first
  j["signature"] = zeros;
  std::vector<uint8_t> cbor = nlohmann::json::to_cbor(j);
  j["signature"] = hmac_sha256_hex(cbor, key);
  cbor = nlohmann::json::to_cbor(j);
  doc = decode_ei(cbor, "sorted.cbor");
  EXPECT_EQ(check_ei_signature(cbor, doc, key), EiSignatureCheck::kValid);
  EXPECT_EQ(check_ei_signature(cbor, doc, "wrong"), EiSignatureCheck::kInvalid);
}

TEST(EdgeImpulse, MalformedDocumentsGiveClearErrors) {
  const std::string valid =
      "{\"protected\":{\"ver\":\"v1\",\"alg\":\"none\"},\"signature\":\"0\","
      "\"payload\":{\"device_type\":\"d\",\"interval_ms\":10,"
      "\"sensors\":[{\"name\":\"a\",\"units\":\"u\"},{\"name\":\"b\","
      "\"units\":\"u\"}],\"values\":[[1,2],[3,4]]}}";
  EXPECT_NO_THROW(decode_ei(bytes_of(valid), "f.json"));
  auto error = [](const std::string& text) {
    return error_of([&] { decode_ei(bytes_of(text), "f.json"); });
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = valid;
    t.replace(t.find(from), from.size(), to);
    return error(t);
  };
  EXPECT_EQ(error(""), "f.json: empty file");
  EXPECT_EQ(error(valid.substr(0, 40)).rfind("f.json: not valid JSON (", 0), 0u);
  EXPECT_EQ(error("[1,2]"),
            "f.json: not an Edge Impulse data acquisition document (expected an object with "
            "protected, signature and payload)");
  EXPECT_EQ(replaced("\"v1\"", "\"v2\""), "f.json: protected.ver is 'v2', expected 'v1'");
  EXPECT_EQ(replaced("\"none\"", "\"RS256\""),
            "f.json: protected.alg is 'RS256', expected 'HS256' or 'none'");
  EXPECT_EQ(replaced("\"signature\":\"0\",", ""), "f.json: missing signature");
  EXPECT_EQ(replaced("\"device_type\":\"d\",", ""), "f.json: missing payload.device_type");
  EXPECT_EQ(replaced("\"interval_ms\":10", "\"interval_ms\":\"10\""),
            "f.json: payload.interval_ms must be a number");
  EXPECT_EQ(replaced("\"interval_ms\":10", "\"interval_ms\":0"),
            "f.json: payload.interval_ms must be positive");
  EXPECT_EQ(replaced("[{\"name\":\"a\",\"units\":\"u\"}", "[3"),
            "f.json: payload.sensors[0] must be an object");
  EXPECT_EQ(replaced("\"units\":\"u\"}]", "\"units\":3}]"),
            "f.json: payload.sensors[1].units must be a string");
  EXPECT_EQ(replaced("[[1,2],[3,4]]", "\"1,2,3,4\""), "f.json: payload.values must be an array");
  EXPECT_EQ(replaced("[[1,2],[3,4]]", "[]"), "f.json: payload.values is empty");
  EXPECT_EQ(replaced("[3,4]", "[3]"),
            "f.json: payload.values[1] has 1 values, expected 2 (one per sensor)");
  EXPECT_EQ(replaced("[3,4]", "[3,\"4\"]"), "f.json: payload.values[1][1] must be a number");
  EXPECT_EQ(replaced("[3,4]", "5"),
            "f.json: payload.values[1] must be an array of 2 numbers (one per sensor)");
  EXPECT_EQ(replaced("\"payload\":{", "\"payload\":[{").rfind("f.json: not valid JSON (", 0), 0u);
  EXPECT_EQ(replaced("\"sensors\":[", "\"sensors\":3,\"x\":["),
            "f.json: payload.sensors must be a non-empty array of {name, units}");

  // CBOR: NaN, truncation, absurd nesting.
  nlohmann::json j = nlohmann::json::parse(valid);
  j["payload"]["values"][0][1] = std::nan("");
  EXPECT_EQ(error_of([&] { decode_ei(nlohmann::json::to_cbor(j), "f.cbor"); }),
            "f.cbor: payload.values[0][1] is not finite");
  const std::vector<uint8_t> cbor = encode_ei(accelerometer(), EiEncoding::kCbor, "k");
  for (size_t n : {size_t{1}, size_t{7}, cbor.size() / 2, cbor.size() - 1}) {
    const std::vector<uint8_t> cut(cbor.begin(), cbor.begin() + n);
    EXPECT_EQ(error_of([&] { decode_ei(cut, "f.cbor"); }).rfind("f.cbor: not valid CBOR (", 0), 0u)
        << n;
  }
  std::vector<uint8_t> deep(200000, 0x81);  // [[[[...
  deep.push_back(0x01);
  EXPECT_EQ(error_of([&] { decode_ei(deep, "deep.cbor"); }),
            "deep.cbor: nested more than 64 levels deep");
  const std::string deep_json = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(error(deep_json), "f.json: nested more than 64 levels deep");
}

// Random bytes, and valid documents with random bytes changed: only Error,
// never a crash or another exception.
TEST(EdgeImpulse, GarbageNeverCrashes) {
  std::mt19937 rng(1234);
  const std::vector<uint8_t> cbor = encode_ei(accelerometer(), EiEncoding::kCbor, "k");
  const std::vector<uint8_t> json = encode_ei(accelerometer(), EiEncoding::kJson, "k");
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> bytes;
    if (i % 3 == 0) {
      bytes.resize(rng() % 64);
      for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    } else {
      bytes = i % 3 == 1 ? cbor : json;
      for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      bytes.resize(bytes.size() - rng() % 4);
    }
    try {
      const EiSample s = decode_ei(bytes, "g");
      check_ei_signature(bytes, s, "k");
      if (s.is_audio())
        audio_from_ei(s, "g");
      else
        imu_csv_from_ei(s, "g");
    } catch (const Error&) {
    }
  }
}

TEST(EdgeImpulse, AudioAndImuConversions) {
  Audio a;
  a.sample_rate = 16000;
  a.samples = {0, 1, -1, 32767, -32768};
  EiSample s = ei_from_audio(a);
  EXPECT_TRUE(s.is_audio());
  EXPECT_EQ(s.interval_ms, 0.0625);
  const Audio back = audio_from_ei(s, "x");
  EXPECT_EQ(back.sample_rate, 16000u);
  EXPECT_EQ(back.samples, a.samples);
  s.values[1] = 40000;
  EXPECT_EQ(error_of([&] { audio_from_ei(s, "x.json"); }),
            "x.json: payload.values[1] = 40000 is outside the 16-bit audio range -32768..32767");

  const ImuRecording imu = parse_imu_csv("timestamp,accX,gyrY\n0,0.15,-1\n20,2.5,1e-3\n", "r");
  s = ei_from_imu(imu, "r");
  EXPECT_EQ(s.interval_ms, 20.0);
  EXPECT_EQ(s.values, (std::vector<double>{0.15, -1, 2.5, 0.001}));
  EXPECT_EQ(s.sensors[0].units, "m/s2");
  EXPECT_EQ(s.sensors[1].units, "dps");
  EXPECT_EQ(imu_csv_from_ei(s, "r"), "timestamp,accX,gyrY\n0,0.15,-1\n20,2.5,0.001\n");
  EXPECT_EQ(error_of([&] { ei_from_imu(parse_imu_csv("x\n1\n2\n", "n.csv"), "n.csv"); }),
            "n.csv: no timestamp column, so the sampling interval that Edge Impulse needs is "
            "unknown (add a timestamp column in ms)");
  s.sensors[0].name = "a,b";
  EXPECT_EQ(error_of([&] { imu_csv_from_ei(s, "r"); }),
            "r: sensor name 'a,b' cannot be a CSV column name");
  s.sensors.assign(10, {"x", "u"});
  s.values.assign(10, 0.0);
  EXPECT_EQ(error_of([&] { imu_csv_from_ei(s, "r"); }),
            "r: 10 sensors; an IMU CSV holds at most 9 axes");
}

class EdgeImpulseFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tone(dir / "data/yes/aaaa_nohash_0.wav", 16000, 0.5, 0.3, 500);
    write_tone(dir / "data/yes/bbbb_nohash_0.wav", 16000, 0.5, 0.2, 700);
    write_tone(dir / "data/no/aaaa_nohash_1.wav", 8000, 0.25, 0.9, 300);
    write_text(dir / "data/wave/w1.csv",
               "timestamp,accX,accY,accZ\n0,0.1,0.2,9.81\n"
               "10,-0.5,1.25,9.5\n20,3e-5,-7,10\n");
  }
  void expect_same_dataset(const std::string& a_root, const std::string& b_root) {
    const Dataset a = load_dataset(a_root);
    const Dataset b = load_dataset(b_root);
    ASSERT_EQ(a.samples.size(), b.samples.size());
    for (size_t i = 0; i < a.samples.size(); ++i) {
      const Sample& x = a.samples[i];
      const Sample& y = b.samples[i];
      EXPECT_EQ(x.label, y.label);
      EXPECT_EQ(fs::path(x.path).filename(), fs::path(y.path).filename());
      EXPECT_EQ(x.group, y.group);
      if (fs::path(x.path).extension() == ".wav") {
        const Audio ax = read_audio(x.path), ay = read_audio(y.path);
        EXPECT_EQ(ax.sample_rate, ay.sample_rate);
        EXPECT_EQ(ax.samples, ay.samples) << x.path;
      } else {
        const ImuRecording ix = read_imu_csv(x.path), iy = read_imu_csv(y.path);
        EXPECT_EQ(ix.axis_names, iy.axis_names);
        EXPECT_EQ(ix.samples, iy.samples);
        EXPECT_EQ(ix.timestamps, iy.timestamps);
      }
    }
  }
  TempDir dir;
};

TEST_F(EdgeImpulseFiles, ExportImportRoundTrip) {
  const Dataset d = load_dataset(dir / "data");
  for (EiEncoding encoding : {EiEncoding::kJson, EiEncoding::kCbor}) {
    const std::string tag = encoding == EiEncoding::kJson ? "json" : "cbor";
    EiExportOptions out;
    out.encoding = encoding;
    out.hmac_key = "secret";
    out.iat = 1700000000;
    const EiExportResult exported = export_edge_impulse(d, dir / ("ei_" + tag), out);
    ASSERT_EQ(exported.written.size(), 4u);
    EXPECT_EQ(fs::path(exported.written[0]).filename(), "no.aaaa_nohash_1." + tag);
    EXPECT_EQ(fs::path(exported.written[1]).filename(), "wave.w1." + tag);

    EiImportOptions in;
    in.hmac_key = "secret";
    const EiImportResult imported =
        import_edge_impulse(dir / ("ei_" + tag), dir / ("back_" + tag), in);
    EXPECT_EQ(imported.written.size(), 4u);
    EXPECT_EQ(imported.audio_files, 3u);
    EXPECT_EQ(imported.imu_files, 1u);
    EXPECT_EQ(imported.verified, 4u);
    EXPECT_TRUE(imported.warnings.empty());
    expect_same_dataset(dir / "data", dir / ("back_" + tag));
  }
}

TEST_F(EdgeImpulseFiles, ImportChecksSignaturesBeforeWriting) {
  const Dataset d = load_dataset(dir / "data");
  EiExportOptions out;
  out.hmac_key = "right";
  export_edge_impulse(d, dir / "ei", out);
  EiImportOptions wrong;
  wrong.hmac_key = "wrong";
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "ei", dir / "back", wrong); }),
            dir / "ei/no.aaaa_nohash_1.json" +
                ": signature does not match the HMAC key (the file was changed after signing, or "
                "signed with another key)");
  EXPECT_FALSE(fs::exists(dir.path() / "back"));

  // No key: imported with a warning per signed file.
  const EiImportResult r = import_edge_impulse(dir / "ei", dir / "back");
  EXPECT_EQ(r.written.size(), 4u);
  ASSERT_EQ(r.warnings.size(), 4u);
  EXPECT_EQ(r.warnings[0], dir / "ei/no.aaaa_nohash_1.json" +
                               ": signed (HS256) but no HMAC key was given; not verified");
  // Nothing is overwritten.
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "ei", dir / "back"); }),
            dir / "ei/no.aaaa_nohash_1.json: " + dir / "back/no/aaaa_nohash_1.wav" +
                " already exists (import into an empty folder)");

  // Unsigned files when a key is given are refused.
  export_edge_impulse(d, dir / "plain");
  EiImportOptions key;
  key.hmac_key = "right";
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "plain", dir / "back2", key); }),
            dir / "plain/no.aaaa_nohash_1.json" +
                ": not signed (alg none), but an HMAC key was given to verify it");
}

TEST_F(EdgeImpulseFiles, ImportOneFileWithExplicitLabel) {
  EiSample s = accelerometer();
  write_text(dir / "in/capture-7.json", [&] {
    const auto b = encode_ei(s, EiEncoding::kJson);
    return std::string(b.begin(), b.end());
  }());
  EiImportOptions options;
  options.label = "idle";
  const EiImportResult r = import_edge_impulse(dir / "in/capture-7.json", dir / "out", options);
  ASSERT_EQ(r.written, (std::vector<std::string>{dir / "out/idle/capture-7.csv"}));
  const ImuRecording imu = read_imu_csv(r.written[0]);
  EXPECT_EQ(imu.axis_names, (std::vector<std::string>{"accX", "accY", "accZ"}));
  EXPECT_EQ(imu.frames(), 4u);
  EXPECT_DOUBLE_EQ(imu.sample_rate_hz, 100.0);
  EXPECT_EQ(imu.samples[5], 1.27f);
  options.label = "../up";
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "in", dir / "out2", options); }),
            "--label: label '../up' cannot be a folder name");
  write_text(dir / "bad/yes.1.cbor", "\xa3\x69protected");
  EXPECT_EQ(error_of([&] {
              import_edge_impulse(dir / "bad", dir / "out3");
            }).rfind(dir / "bad/yes.1.cbor: not valid CBOR (", 0),
            0u);
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "nothing", dir / "out3"); }),
            dir / "nothing: no such file or folder");
  fs::create_directories(dir.path() / "emptyin");
  EXPECT_EQ(error_of([&] { import_edge_impulse(dir / "emptyin", dir / "out3"); }),
            dir / "emptyin: no .json or .cbor files");
}

TEST_F(EdgeImpulseFiles, ExportOneSplitAndRefuseDottedLabels) {
  Dataset d = load_dataset(dir / "data");
  d.samples[0].split = "test";
  EiExportOptions options;
  options.split = "test";
  options.encoding = EiEncoding::kCbor;
  const EiExportResult r = export_edge_impulse(d, dir / "test_only", options);
  ASSERT_EQ(r.written, (std::vector<std::string>{dir / "test_only/no.aaaa_nohash_1.cbor"}));
  const AlignedBuffer bytes = read_file(r.written[0]);
  const EiSample s = decode_ei(bytes.span(), r.written[0]);
  EXPECT_EQ(s.interval_ms, 0.125);
  EXPECT_EQ(s.frames(), 2000u);
  EXPECT_EQ(s.device_type, "locus");
  options.split = "validation";
  EXPECT_EQ(error_of([&] { export_edge_impulse(d, dir / "v", options); }),
            d.root + ": no samples in split validation");
  options.split = "holdout";
  EXPECT_EQ(error_of([&] { export_edge_impulse(d, dir / "v", options); }),
            "export: split 'holdout' is not train, validation or test");
  d.samples[0].label = "v1.2";
  EXPECT_EQ(error_of([&] { export_edge_impulse(d, dir / "v", {}); }),
            d.samples[0].path +
                ": label 'v1.2' contains '.', which the Edge Impulse file name (LABEL.NAME.json) "
                "cannot carry");
}

}  // namespace
}  // namespace locus::host
