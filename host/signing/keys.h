// Ed25519 signing keys (libsodium) kept in the user's data directory:
//
//   <data dir>/keys/NAME.key   secret key, mode 0600
//   <data dir>/keys/NAME.pub   public key
//
// Both are one line of text:
//
//   locus-ed25519-public v1 KEYID BASE64(32-byte public key) NAME
//   locus-ed25519-secret v1 KEYID BASE64(64-byte libsodium secret key) NAME
//
// KEYID is the first 16 hex digits of SHA-256(public key); capsules name the
// key that signed them by this id.
#ifndef LOCUS_HOST_SIGNING_KEYS_H_
#define LOCUS_HOST_SIGNING_KEYS_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace locus::host {

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSecretKeyBytes = 64;
constexpr size_t kSignatureBytes = 64;

struct PublicKey {
  std::string name;    // may be empty (a key file without a name)
  std::string key_id;  // 16 hex digits
  std::array<uint8_t, kPublicKeyBytes> bytes{};
  std::string origin;  // file it came from, for messages
};

class SecretKey {
 public:
  SecretKey() = default;
  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  ~SecretKey();  // wipes the key bytes

  std::string name;
  std::string key_id;
  std::array<uint8_t, kSecretKeyBytes> bytes{};
  std::string origin;

  PublicKey public_key() const;
};

// What `keys list` shows.
struct KeyInfo {
  std::string name;
  std::string key_id;
  std::filesystem::path public_path;
  std::filesystem::path secret_path;  // empty when only the public key is present
};

// 16 hex digits of SHA-256(public key).
std::string key_id_for(std::span<const uint8_t, kPublicKeyBytes> public_key);

// Key names: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'.
bool is_valid_key_name(const std::string& name);

// <data dir>/keys
std::filesystem::path keys_dir();

// Creates NAME.key and NAME.pub; throws Error if either already exists or
// NAME is not a valid name.
KeyInfo generate_key(const std::string& name);

// Every key in keys_dir(), sorted by name (keys with a .pub or a .key file).
// Unreadable key files throw Error naming the file.
std::vector<KeyInfo> list_keys();

// By name (looked up in keys_dir()) or by path (anything containing '/', or
// an existing file). load_public_key accepts a secret key file too and
// derives the public key from it.
SecretKey load_secret_key(const std::string& name_or_path);
PublicKey load_public_key(const std::string& name_or_path);

// All public keys in keys_dir() that load; files that do not parse are
// returned in `broken` (path: reason) when it is non-null.
std::vector<PublicKey> load_user_public_keys(std::vector<std::string>* broken = nullptr);

// Writes NAME's public key file to `out_path` (atomically).
void export_public_key(const std::string& name_or_path, const std::filesystem::path& out_path);

// The text formats (one line, ending in '\n'); parse_* throw Error naming
// `origin` when the text is not a valid key or its id does not match.
std::string format_public_key(const PublicKey& key);
std::string format_secret_key(const SecretKey& key);
PublicKey parse_public_key(const std::string& text, const std::string& origin);
SecretKey parse_secret_key(const std::string& text, const std::string& origin);

// Ed25519 over `message` / check of a detached signature.
std::array<uint8_t, kSignatureBytes> ed25519_sign(const SecretKey& key,
                                                   std::span<const uint8_t> message);
bool ed25519_verify(const PublicKey& key, std::span<const uint8_t> message,
                    std::span<const uint8_t> signature);

}  // namespace locus::host

#endif  // LOCUS_HOST_SIGNING_KEYS_H_
