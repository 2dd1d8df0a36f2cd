// Edge Impulse data acquisition documents: decoding with checks, encoding,
// HMAC-SHA256 signatures. Files, import and export: edge_impulse_files.cc.
#include "host/dataset/edge_impulse.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "host/common/error.h"

namespace locus::host {
namespace {

using Json = nlohmann::json;
constexpr int kMaxDepth = 64;
constexpr size_t kSignatureHexDigits = 64;

// The DOM builder, refusing documents nested deeper than kMaxDepth before
// nlohmann's recursive CBOR reader can exhaust the stack.
class DepthLimitedSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  explicit DepthLimitedSax(Json& root) : json_sax_dom_parser(root, true) {}
  bool start_object(std::size_t len) {
    if (++depth_ > kMaxDepth) return too_deep();
    return json_sax_dom_parser::start_object(len);
  }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool start_array(std::size_t len) {
    if (++depth_ > kMaxDepth) return too_deep();
    return json_sax_dom_parser::start_array(len);
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }
  bool exceeded() const { return exceeded_; }

 private:
  bool too_deep() {
    exceeded_ = true;
    return false;
  }
  int depth_ = 0;
  bool exceeded_ = false;
};

EiEncoding detect_encoding(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
    // JSON text starts with ASCII (or a UTF-8 byte order mark); a CBOR map
    // starts with a byte of 0xA0 or more.
    return b < 0x80 || b == 0xEF ? EiEncoding::kJson : EiEncoding::kCbor;
  }
  return EiEncoding::kJson;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Field access that names the field and what it should have been.
struct Reader {
  const std::string& origin;

  const Json& member(const Json& object, const char* key, const std::string& where) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(origin, ": missing ", where, key);
    return *it;
  }
  const Json& object(const Json& parent, const char* key, const std::string& where) const {
    const Json& v = member(parent, key, where);
    if (!v.is_object()) fail(origin, ": ", where, key, " must be an object");
    return v;
  }
  std::string string(const Json& parent, const char* key, const std::string& where) const {
    const Json& v = member(parent, key, where);
    if (!v.is_string()) fail(origin, ": ", where, key, " must be a string");
    return v.get<std::string>();
  }
  double number(const Json& v, const std::string& what) const {
    if (!v.is_number()) fail(origin, ": ", what, " must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(origin, ": ", what, " is not finite");
    return d;
  }
};

Json parse_document(std::span<const uint8_t> bytes, const std::string& origin,
                    EiEncoding encoding) {
  Json root;
  DepthLimitedSax sax(root);
  bool ok = false;
  try {
    ok = Json::sax_parse(
        bytes.begin(), bytes.end(), &sax,
        encoding == EiEncoding::kJson ? Json::input_format_t::json : Json::input_format_t::cbor);
  } catch (const Json::exception& e) {
    fail(origin, ": not valid ", encoding == EiEncoding::kJson ? "JSON" : "CBOR", " (", e.what(),
         ")");
  }
  if (sax.exceeded()) fail(origin, ": nested more than ", kMaxDepth, " levels deep");
  if (!ok) fail(origin, ": not valid ", encoding == EiEncoding::kJson ? "JSON" : "CBOR");
  return root;
}

// Integers as integers (compact in both encodings), everything else as double.
nlohmann::ordered_json number_json(double v) {
  if (std::nearbyint(v) == v && std::fabs(v) <= 9007199254740992.0) {
    return nlohmann::ordered_json(static_cast<int64_t>(v));
  }
  return nlohmann::ordered_json(v);
}

std::vector<uint8_t> serialize(const nlohmann::ordered_json& doc, EiEncoding encoding) {
  if (encoding == EiEncoding::kCbor) return nlohmann::ordered_json::to_cbor(doc);
  const std::string text = doc.dump();
  return {text.begin(), text.end()};
}

nlohmann::ordered_json document(const EiSample& s, const std::string& alg,
                                const std::string& signature) {
  nlohmann::ordered_json prot = {{"ver", "v1"}, {"alg", alg}};
  if (s.iat) prot["iat"] = *s.iat;
  nlohmann::ordered_json payload = nlohmann::ordered_json::object();
  if (!s.device_name.empty()) payload["device_name"] = s.device_name;
  payload["device_type"] = s.device_type;
  payload["interval_ms"] = number_json(s.interval_ms);
  nlohmann::ordered_json sensors = nlohmann::ordered_json::array();
  for (const EiSensor& sensor : s.sensors) {
    sensors.push_back({{"name", sensor.name}, {"units", sensor.units}});
  }
  payload["sensors"] = sensors;
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  const size_t axes = s.sensors.size();
  if (axes == 1) {
    for (double v : s.values) values.push_back(number_json(v));
  } else {
    for (size_t f = 0; f < s.frames(); ++f) {
      nlohmann::ordered_json row = nlohmann::ordered_json::array();
      for (size_t a = 0; a < axes; ++a) row.push_back(number_json(s.values[f * axes + a]));
      values.push_back(std::move(row));
    }
  }
  payload["values"] = std::move(values);
  return {{"protected", prot}, {"signature", signature}, {"payload", payload}};
}

// The file's own bytes with the signature value replaced by 64 zeros, or
// empty when the signature cannot be located.
std::vector<uint8_t> zeroed_bytes(std::span<const uint8_t> bytes, const std::string& signature,
                                  EiEncoding encoding) {
  const std::string zeros(kSignatureHexDigits, '0');
  std::vector<uint8_t> out;
  if (encoding == EiEncoding::kCbor) {
    std::vector<uint8_t> needle = Json::to_cbor(Json("signature"));
    const std::vector<uint8_t> value = Json::to_cbor(Json(signature));
    needle.insert(needle.end(), value.begin(), value.end());
    const auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
    if (at == bytes.end()) return {};
    const size_t value_at = static_cast<size_t>(at - bytes.begin()) + needle.size() - value.size();
    const std::vector<uint8_t> zero_value = Json::to_cbor(Json(zeros));
    out.assign(bytes.begin(), bytes.begin() + value_at);
    out.insert(out.end(), zero_value.begin(), zero_value.end());
    out.insert(out.end(), bytes.begin() + value_at + value.size(), bytes.end());
    return out;
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string key = "\"signature\"";
  for (size_t k = text.find(key); k != std::string_view::npos; k = text.find(key, k + 1)) {
    size_t i = k + key.size();
    auto skip_space = [&] {
      while (i < text.size() &&
             (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
        ++i;
      }
    };
    skip_space();
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    skip_space();
    if (i >= text.size() || text[i] != '"') continue;
    const size_t start = i + 1;
    const size_t end = text.find('"', start);
    if (end == std::string_view::npos || text.substr(start, end - start) != signature) continue;
    out.assign(bytes.begin(), bytes.begin() + start);
    out.insert(out.end(), zeros.begin(), zeros.end());
    out.insert(out.end(), bytes.begin() + end, bytes.end());
    return out;
  }
  return {};
}

}  // namespace

bool EiSample::is_audio() const { return sensors.size() == 1 && lower(sensors[0].units) == "wav"; }

std::string hmac_sha256_hex(std::span<const uint8_t> data, std::string_view key) {
  static const bool ready = sodium_init() >= 0;
  if (!ready) fail("libsodium failed to initialise");
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, data.data(), data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
  return hex;
}

std::vector<uint8_t> encode_ei(const EiSample& sample, EiEncoding encoding,
                               std::string_view hmac_key) {
  const std::string zeros(kSignatureHexDigits, '0');
  if (sample.sensors.empty()) fail("Edge Impulse: a document needs at least one sensor");
  if (sample.values.size() % sample.sensors.size() != 0) {
    fail("Edge Impulse: ", sample.values.size(), " values do not fill frames of ",
         sample.sensors.size(), " sensors");
  }
  if (hmac_key.empty()) return serialize(document(sample, "none", zeros), encoding);
  const std::vector<uint8_t> unsigned_bytes = serialize(document(sample, "HS256", zeros), encoding);
  return serialize(document(sample, "HS256", hmac_sha256_hex(unsigned_bytes, hmac_key)), encoding);
}

EiSample decode_ei(std::span<const uint8_t> bytes, const std::string& origin,
                   EiEncoding* encoding_out) {
  if (bytes.empty()) fail(origin, ": empty file");
  const EiEncoding encoding = detect_encoding(bytes);
  if (encoding_out) *encoding_out = encoding;
  const Json root = parse_document(bytes, origin, encoding);
  const Reader r{origin};
  if (!root.is_object()) {
    fail(origin,
         ": not an Edge Impulse data acquisition document (expected an object with "
         "protected, signature and payload)");
  }
  EiSample s;
  const Json& prot = r.object(root, "protected", "");
  const std::string ver = r.string(prot, "ver", "protected.");
  if (ver != "v1") fail(origin, ": protected.ver is '", ver, "', expected 'v1'");
  s.alg = r.string(prot, "alg", "protected.");
  if (s.alg != "HS256" && s.alg != "none") {
    fail(origin, ": protected.alg is '", s.alg, "', expected 'HS256' or 'none'");
  }
  if (const auto it = prot.find("iat"); it != prot.end() && !it->is_null()) {
    const double iat = r.number(*it, "protected.iat");
    if (std::fabs(iat) > 9.2e18) fail(origin, ": protected.iat is out of range");
    s.iat = static_cast<int64_t>(iat);
  }
  s.signature = r.string(root, "signature", "");

  const Json& payload = r.object(root, "payload", "");
  if (const auto it = payload.find("device_name"); it != payload.end() && !it->is_null()) {
    if (!it->is_string()) fail(origin, ": payload.device_name must be a string");
    s.device_name = it->get<std::string>();
  }
  s.device_type = r.string(payload, "device_type", "payload.");
  s.interval_ms = r.number(r.member(payload, "interval_ms", "payload."), "payload.interval_ms");
  if (s.interval_ms <= 0.0) fail(origin, ": payload.interval_ms must be positive");

  const Json& sensors = r.member(payload, "sensors", "payload.");
  if (!sensors.is_array() || sensors.empty()) {
    fail(origin, ": payload.sensors must be a non-empty array of {name, units}");
  }
  for (size_t i = 0; i < sensors.size(); ++i) {
    const std::string where = "payload.sensors[" + std::to_string(i) + "].";
    if (!sensors[i].is_object())
      fail(origin, ": ", where.substr(0, where.size() - 1), " must be an object");
    EiSensor sensor{r.string(sensors[i], "name", where), r.string(sensors[i], "units", where)};
    if (sensor.name.empty()) fail(origin, ": ", where, "name is empty");
    s.sensors.push_back(std::move(sensor));
  }

  const Json& values = r.member(payload, "values", "payload.");
  if (!values.is_array()) fail(origin, ": payload.values must be an array");
  if (values.empty()) fail(origin, ": payload.values is empty");
  const size_t axes = s.sensors.size();
  s.values.reserve(values.size() * axes);
  for (size_t f = 0; f < values.size(); ++f) {
    const std::string where = "payload.values[" + std::to_string(f) + "]";
    const Json& row = values[f];
    if (row.is_array()) {
      if (row.size() != axes) {
        fail(origin, ": ", where, " has ", row.size(), " values, expected ", axes,
             " (one per sensor)");
      }
      for (size_t a = 0; a < axes; ++a) {
        s.values.push_back(r.number(row[a], where + "[" + std::to_string(a) + "]"));
      }
    } else if (axes == 1) {
      s.values.push_back(r.number(row, where));
    } else {
      fail(origin, ": ", where, " must be an array of ", axes, " numbers (one per sensor)");
    }
  }
  return s;
}

EiSignatureCheck check_ei_signature(std::span<const uint8_t> bytes, const EiSample& sample,
                                    std::string_view hmac_key) {
  if (sample.alg != "HS256") return EiSignatureCheck::kUnsigned;
  if (hmac_key.empty()) return EiSignatureCheck::kUnverified;
  const std::string given = lower(sample.signature);
  if (given.size() != kSignatureHexDigits) return EiSignatureCheck::kInvalid;
  const EiEncoding encoding = detect_encoding(bytes);
  // The exact rule: the file's bytes with the signature as 64 zeros. As a
  // fallback (a signature the search cannot find, e.g. written with escapes),
  // the document re-encoded the way encode_ei does.
  std::vector<std::vector<uint8_t>> candidates;
  candidates.push_back(zeroed_bytes(bytes, sample.signature, encoding));
  candidates.push_back(
      serialize(document(sample, sample.alg, std::string(kSignatureHexDigits, '0')), encoding));
  for (const std::vector<uint8_t>& candidate : candidates) {
    if (candidate.empty()) continue;
    const std::string expected = hmac_sha256_hex(candidate, hmac_key);
    if (sodium_memcmp(expected.data(), given.data(), kSignatureHexDigits) == 0) {
      return EiSignatureCheck::kValid;
    }
  }
  return EiSignatureCheck::kInvalid;
}

}  // namespace locus::host
