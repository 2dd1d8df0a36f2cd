#include "host/signing/keys.h"

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "host/store/data_dir.h"

namespace locus::host {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPublicMagic = "locus-ed25519-public";
constexpr const char* kSecretMagic = "locus-ed25519-secret";
constexpr const char* kFormatVersion = "v1";
constexpr size_t kMaxKeyFileBytes = 4096;

void init_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) fail("libsodium: initialisation failed");
}

std::string to_base64(const uint8_t* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Decodes exactly `size` bytes or throws naming `origin`.
void from_base64(const std::string& text, uint8_t* out, size_t size, const std::string& origin,
                 const char* what) {
  size_t decoded = 0;
  const char* end = nullptr;
  std::vector<uint8_t> buffer(text.size());
  if (sodium_base642bin(buffer.data(), buffer.size(), text.data(), text.size(), nullptr, &decoded,
                        &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    sodium_memzero(buffer.data(), buffer.size());
    fail(origin, ": ", what, " is not valid base64");
  }
  if (decoded != size) {
    sodium_memzero(buffer.data(), buffer.size());
    fail(origin, ": ", what, " is ", decoded, " bytes, expected ", size);
  }
  std::copy_n(buffer.begin(), size, out);
  sodium_memzero(buffer.data(), buffer.size());
}

std::string read_small_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot open key file (", std::strerror(errno), ")");
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileBytes) fail(path.string(), ": too large to be a Locus key file");
  return text;
}

struct KeyLine {
  std::string magic, version, key_id, base64, name;
};

KeyLine split_key_line(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  KeyLine line;
  in >> line.magic >> line.version >> line.key_id >> line.base64;
  if (line.magic != kPublicMagic && line.magic != kSecretMagic) {
    fail(origin, ": not a Locus key file (expected a line starting '", kPublicMagic, "' or '",
         kSecretMagic, "')");
  }
  if (line.version != kFormatVersion) {
    fail(origin, ": key format '", line.version, "' is not supported (this build reads ",
         kFormatVersion, ")");
  }
  if (line.base64.empty()) fail(origin, ": key line is truncated (no key bytes)");
  in >> line.name;
  std::string extra;
  if (in >> extra) fail(origin, ": unexpected text after the key name: '", extra, "'");
  if (!line.name.empty() && !is_valid_key_name(line.name)) {
    fail(origin, ": key name '", line.name, "' is not valid");
  }
  return line;
}

bool looks_like_path(const std::string& s) { return s.find('/') != std::string::npos; }

fs::path public_path_for(const std::string& name) { return keys_dir() / (name + ".pub"); }
fs::path secret_path_for(const std::string& name) { return keys_dir() / (name + ".key"); }

void require_valid_name(const std::string& name) {
  if (!is_valid_key_name(name)) {
    fail("key name '", name,
         "' is not valid: use 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.' or '-'");
  }
}

// Resolves NAME_OR_PATH to a file: a path as given, or the named key's file
// with `suffix` (".pub" / ".key").
fs::path key_file(const std::string& name_or_path, const char* suffix, bool* by_name) {
  *by_name = false;
  if (name_or_path.empty()) fail("key: empty key name or path");
  if (looks_like_path(name_or_path)) return fs::path(name_or_path);
  std::error_code ec;
  if (is_valid_key_name(name_or_path)) {
    const fs::path named = keys_dir() / (name_or_path + suffix);
    const bool pub_or_key = fs::exists(public_path_for(name_or_path), ec) ||
                            fs::exists(secret_path_for(name_or_path), ec);
    if (pub_or_key || !fs::exists(name_or_path, ec)) {
      *by_name = true;
      return named;
    }
  }
  return fs::path(name_or_path);
}

}  // namespace

SecretKey::~SecretKey() { sodium_memzero(bytes.data(), bytes.size()); }

PublicKey SecretKey::public_key() const {
  PublicKey pk;
  pk.name = name;
  pk.key_id = key_id;
  pk.origin = origin;
  crypto_sign_ed25519_sk_to_pk(pk.bytes.data(), bytes.data());
  return pk;
}

std::string key_id_for(std::span<const uint8_t, kPublicKeyBytes> public_key) {
  const Sha256 digest = sha256(public_key.data(), public_key.size());
  return to_hex(digest.data(), 8);
}

bool is_valid_key_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

fs::path keys_dir() { return locus_data_dir() / "keys"; }

std::string format_public_key(const PublicKey& key) {
  std::string line = std::string(kPublicMagic) + " " + kFormatVersion + " " + key.key_id + " " +
                     to_base64(key.bytes.data(), key.bytes.size());
  if (!key.name.empty()) line += " " + key.name;
  return line + "\n";
}

std::string format_secret_key(const SecretKey& key) {
  std::string line = std::string(kSecretMagic) + " " + kFormatVersion + " " + key.key_id + " " +
                     to_base64(key.bytes.data(), key.bytes.size());
  if (!key.name.empty()) line += " " + key.name;
  return line + "\n";
}

PublicKey parse_public_key(const std::string& text, const std::string& origin) {
  init_sodium();
  const KeyLine line = split_key_line(text, origin);
  if (line.magic == kSecretMagic) return parse_secret_key(text, origin).public_key();
  PublicKey key;
  from_base64(line.base64, key.bytes.data(), key.bytes.size(), origin, "public key");
  key.key_id = key_id_for(key.bytes);
  if (key.key_id != line.key_id) {
    fail(origin, ": key id ", line.key_id, " does not match the key bytes (id ", key.key_id,
         "): the file is damaged");
  }
  key.name = line.name;
  key.origin = origin;
  return key;
}

SecretKey parse_secret_key(const std::string& text, const std::string& origin) {
  init_sodium();
  KeyLine line = split_key_line(text, origin);
  if (line.magic != kSecretMagic) {
    fail(origin, ": is a public key file; signing needs the secret key (NAME.key)");
  }
  SecretKey key;
  from_base64(line.base64, key.bytes.data(), key.bytes.size(), origin, "secret key");
  sodium_memzero(line.base64.data(), line.base64.size());
  // A libsodium secret key is seed || public key: rebuild it from the seed
  // to catch a damaged file before it signs anything.
  std::array<uint8_t, crypto_sign_SEEDBYTES> seed{};
  std::array<uint8_t, kPublicKeyBytes> pk{};
  std::array<uint8_t, kSecretKeyBytes> sk{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), key.bytes.data());
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  const bool consistent = sodium_memcmp(sk.data(), key.bytes.data(), sk.size()) == 0;
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(sk.data(), sk.size());
  if (!consistent) fail(origin, ": secret key is inconsistent (the file is damaged)");
  key.key_id = key_id_for(pk);
  if (key.key_id != line.key_id) {
    fail(origin, ": key id ", line.key_id, " does not match the key bytes (id ", key.key_id,
         "): the file is damaged");
  }
  key.name = line.name;
  key.origin = origin;
  return key;
}

KeyInfo generate_key(const std::string& name) {
  init_sodium();
  require_valid_name(name);
  const fs::path dir = keys_dir();
  ensure_private_dir(dir);
  const fs::path pub_path = public_path_for(name);
  const fs::path sec_path = secret_path_for(name);
  std::error_code ec;
  if (fs::exists(sec_path, ec) || fs::exists(pub_path, ec)) {
    fail("key '", name, "' already exists (",
         (fs::exists(sec_path, ec) ? sec_path : pub_path).string(), "); refusing to overwrite it");
  }
  SecretKey secret;
  PublicKey pub;
  crypto_sign_keypair(pub.bytes.data(), secret.bytes.data());
  secret.name = pub.name = name;
  secret.key_id = pub.key_id = key_id_for(pub.bytes);

  std::string secret_text = format_secret_key(secret);
  try {
    write_file_atomic_mode(
        sec_path, {reinterpret_cast<const uint8_t*>(secret_text.data()), secret_text.size()},
        0600, /*replace=*/false);
  } catch (...) {
    sodium_memzero(secret_text.data(), secret_text.size());
    throw;
  }
  sodium_memzero(secret_text.data(), secret_text.size());
  const std::string public_text = format_public_key(pub);
  try {
    write_file_atomic_mode(
        pub_path, {reinterpret_cast<const uint8_t*>(public_text.data()), public_text.size()},
        0644, /*replace=*/false);
  } catch (...) {
    // Leave no half-made key behind.
    fs::remove(sec_path, ec);
    throw;
  }
  return {name, pub.key_id, pub_path, sec_path};
}

std::vector<KeyInfo> list_keys() {
  std::vector<KeyInfo> keys;
  const fs::path dir = keys_dir();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return keys;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const fs::path p = entry.path();
    const std::string ext = p.extension().string();
    if (ext != ".pub" && ext != ".key") continue;
    const std::string stem = p.stem().string();
    if (!is_valid_key_name(stem)) continue;
    if (std::find(names.begin(), names.end(), stem) == names.end()) names.push_back(stem);
  }
  if (ec) fail(dir.string(), ": cannot list keys (", ec.message(), ")");
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    KeyInfo info;
    info.name = name;
    const fs::path pub_path = public_path_for(name);
    const fs::path sec_path = secret_path_for(name);
    if (fs::exists(sec_path, ec)) info.secret_path = sec_path;
    if (fs::exists(pub_path, ec)) {
      info.public_path = pub_path;
      info.key_id = parse_public_key(read_small_text(pub_path), pub_path.string()).key_id;
    } else {
      info.key_id = parse_secret_key(read_small_text(sec_path), sec_path.string()).key_id;
    }
    keys.push_back(std::move(info));
  }
  return keys;
}

SecretKey load_secret_key(const std::string& name_or_path) {
  bool by_name = false;
  const fs::path path = key_file(name_or_path, ".key", &by_name);
  std::error_code ec;
  if (by_name && !fs::exists(path, ec)) {
    if (fs::exists(public_path_for(name_or_path), ec)) {
      fail("key '", name_or_path, "': only the public key is present (", path.string(),
           " is missing), so it cannot sign");
    }
    fail("key '", name_or_path, "' not found in ", keys_dir().string(),
         " (create it with 'locus keys generate ", name_or_path, "')");
  }
  std::string text = read_small_text(path);
  try {
    SecretKey key = parse_secret_key(text, path.string());
    sodium_memzero(text.data(), text.size());
    if (key.name.empty() && by_name) key.name = name_or_path;
    return key;
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    throw;
  }
}

PublicKey load_public_key(const std::string& name_or_path) {
  bool by_name = false;
  fs::path path = key_file(name_or_path, ".pub", &by_name);
  std::error_code ec;
  if (by_name && !fs::exists(path, ec)) {
    if (fs::exists(secret_path_for(name_or_path), ec)) {
      path = secret_path_for(name_or_path);
    } else {
      fail("key '", name_or_path, "' not found in ", keys_dir().string());
    }
  }
  std::string text = read_small_text(path);
  PublicKey key = parse_public_key(text, path.string());
  sodium_memzero(text.data(), text.size());
  if (key.name.empty() && by_name) key.name = name_or_path;
  return key;
}

std::vector<PublicKey> load_user_public_keys(std::vector<std::string>* broken) {
  std::vector<PublicKey> keys;
  const fs::path dir = keys_dir();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return keys;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".pub") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    try {
      PublicKey key = parse_public_key(read_small_text(p), p.string());
      if (key.name.empty()) key.name = p.stem().string();
      keys.push_back(std::move(key));
    } catch (const Error& e) {
      if (broken != nullptr) broken->push_back(e.what());
    }
  }
  return keys;
}

void export_public_key(const std::string& name_or_path, const fs::path& out_path) {
  const PublicKey key = load_public_key(name_or_path);
  const std::string text = format_public_key(key);
  write_file_atomic_mode(out_path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                         0644);
}

std::array<uint8_t, kSignatureBytes> ed25519_sign(const SecretKey& key,
                                                   std::span<const uint8_t> message) {
  init_sodium();
  std::array<uint8_t, kSignatureBytes> signature{};
  if (crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                           key.bytes.data()) != 0) {
    fail("ed25519: signing failed");
  }
  return signature;
}

bool ed25519_verify(const PublicKey& key, std::span<const uint8_t> message,
                    std::span<const uint8_t> signature) {
  init_sodium();
  if (signature.size() != kSignatureBytes) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

}  // namespace locus::host
