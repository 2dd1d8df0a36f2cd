#include "host/signing/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "host/common/error.h"
#include "host/store/data_dir.h"
#include "host/store/temp_locus_home.h"

namespace locus::host {
namespace {
namespace fs = std::filesystem;

unsigned file_mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(0, ::stat(p.c_str(), &st)) << p;
  return st.st_mode & 0777;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DataDir, FollowsLocusHomeThenXdgThenHome) {
  testing::TempLocusHome home;
  EXPECT_EQ(locus_data_dir(), home.path());
  unsetenv("LOCUS_HOME");
  const char* xdg = getenv("XDG_DATA_HOME");
  const std::string saved_xdg = xdg ? xdg : "";
  setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(locus_data_dir(), fs::path("/tmp/xdg-test/locus"));
  unsetenv("XDG_DATA_HOME");
  const char* user_home = getenv("HOME");
  if (user_home != nullptr) {
    EXPECT_EQ(locus_data_dir(), fs::path(user_home) / ".local/share/locus");
  }
  if (!saved_xdg.empty()) setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
}

TEST(Keys, GenerateListLoadRoundTrip) {
  testing::TempLocusHome home;
  EXPECT_TRUE(list_keys().empty());
  const KeyInfo info = generate_key("release");
  EXPECT_EQ(info.name, "release");
  EXPECT_EQ(info.key_id.size(), 16u);
  EXPECT_EQ(info.secret_path, home.path() / "keys" / "release.key");
  EXPECT_EQ(info.public_path, home.path() / "keys" / "release.pub");
  generate_key("dev-2");

  const std::vector<KeyInfo> keys = list_keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "dev-2");
  EXPECT_EQ(keys[1].name, "release");
  EXPECT_EQ(keys[1].key_id, info.key_id);
  EXPECT_NE(keys[0].key_id, keys[1].key_id);

  const SecretKey secret = load_secret_key("release");
  const PublicKey pub = load_public_key("release");
  EXPECT_EQ(secret.key_id, info.key_id);
  EXPECT_EQ(pub.key_id, info.key_id);
  EXPECT_EQ(pub.name, "release");
  EXPECT_EQ(secret.public_key().bytes, pub.bytes);
  EXPECT_EQ(key_id_for(pub.bytes), info.key_id);

  // By path, too, and a public key can come from the secret file.
  EXPECT_EQ(load_public_key(info.public_path.string()).bytes, pub.bytes);
  EXPECT_EQ(load_public_key(info.secret_path.string()).bytes, pub.bytes);
  EXPECT_EQ(load_secret_key(info.secret_path.string()).key_id, info.key_id);

  // Sign and verify a message with the loaded keys.
  const std::vector<uint8_t> message = {1, 2, 3};
  const auto sig = ed25519_sign(secret, message);
  EXPECT_TRUE(ed25519_verify(pub, message, sig));
  const std::vector<uint8_t> other = {1, 2, 4};
  EXPECT_FALSE(ed25519_verify(pub, other, sig));
  EXPECT_FALSE(ed25519_verify(load_public_key("dev-2"), message, sig));

  // The text format.
  const std::string text = read_text(info.public_path);
  EXPECT_EQ(text.rfind("locus-ed25519-public v1 " + info.key_id + " ", 0), 0u) << text;
  EXPECT_NE(text.find(" release\n"), std::string::npos) << text;
  EXPECT_EQ(read_text(info.secret_path).rfind("locus-ed25519-secret v1 " + info.key_id, 0), 0u);
}

TEST(Keys, FilesHaveTheRightPermissions) {
  testing::TempLocusHome home;
  const KeyInfo info = generate_key("k");
  EXPECT_EQ(file_mode(info.secret_path), 0600u);
  EXPECT_EQ(file_mode(info.public_path) & 0622, 0600u);  // nobody else may write it
  EXPECT_EQ(file_mode(home.path() / "keys"), 0700u);
  // No temporary files left behind.
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(home.path() / "keys")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST(Keys, RefusesToOverwriteAnExistingKey) {
  testing::TempLocusHome home;
  const KeyInfo first = generate_key("release");
  const std::string before = read_text(first.secret_path);
  const std::string message = error_of([] { generate_key("release"); });
  EXPECT_NE(message.find("already exists"), std::string::npos) << message;
  EXPECT_EQ(read_text(first.secret_path), before);
  // Also when only the public half is there.
  fs::remove(first.secret_path);
  EXPECT_NE(error_of([] { generate_key("release"); }).find("already exists"), std::string::npos);
}

TEST(Keys, RejectsBadNames) {
  testing::TempLocusHome home;
  for (const char* bad : {"", "../x", "a/b", ".hidden", "-x", "has space"}) {
    EXPECT_NE(error_of([&] { generate_key(bad); }).find("not valid"), std::string::npos) << bad;
  }
  EXPECT_TRUE(is_valid_key_name("Release_1.0-x"));
}

TEST(Keys, MissingAndPublicOnlyKeysAreReportedClearly) {
  testing::TempLocusHome home;
  std::string m = error_of([] { load_secret_key("nope"); });
  EXPECT_NE(m.find("key 'nope' not found"), std::string::npos) << m;
  EXPECT_NE(m.find("locus keys generate nope"), std::string::npos) << m;
  const KeyInfo info = generate_key("half");
  fs::remove(info.secret_path);
  m = error_of([] { load_secret_key("half"); });
  EXPECT_NE(m.find("only the public key"), std::string::npos) << m;
  m = error_of([&] { load_secret_key(info.public_path.string()); });
  EXPECT_NE(m.find("is a public key file"), std::string::npos) << m;
  const std::vector<KeyInfo> keys = list_keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0].secret_path.empty());
}

TEST(Keys, DamagedKeyFilesAreRejected) {
  testing::TempLocusHome home;
  const KeyInfo info = generate_key("k");
  const std::string pub_text = read_text(info.public_path);
  const fs::path copy = home.path() / "copy.pub";

  // A changed key id.
  std::string changed = pub_text;
  changed[24] = changed[24] == '0' ? '1' : '0';
  write_text(copy, changed);
  std::string m = error_of([&] { load_public_key(copy.string()); });
  EXPECT_NE(m.find("does not match the key bytes"), std::string::npos) << m;

  // Changed key bytes.
  changed = pub_text;
  const size_t b64 = changed.find(' ', 24) + 1;
  changed[b64 + 3] = changed[b64 + 3] == 'A' ? 'B' : 'A';
  write_text(copy, changed);
  m = error_of([&] { load_public_key(copy.string()); });
  EXPECT_NE(m.find("does not match"), std::string::npos) << m;

  write_text(copy, "hello\n");
  m = error_of([&] { load_public_key(copy.string()); });
  EXPECT_NE(m.find("not a Locus key file"), std::string::npos) << m;
  write_text(copy, "locus-ed25519-public v1 0011223344556677\n");
  m = error_of([&] { load_public_key(copy.string()); });
  EXPECT_NE(m.find("truncated"), std::string::npos) << m;
  write_text(copy, "locus-ed25519-public v9 0011223344556677 AAAA\n");
  m = error_of([&] { load_public_key(copy.string()); });
  EXPECT_NE(m.find("not supported"), std::string::npos) << m;

  // A damaged secret key is caught before it signs.
  std::string secret = read_text(info.secret_path);
  const size_t sb64 = secret.find(' ', 24) + 1;
  secret[sb64 + 5] = secret[sb64 + 5] == 'A' ? 'B' : 'A';
  write_text(home.path() / "bad.key", secret);
  m = error_of([&] { load_secret_key((home.path() / "bad.key").string()); });
  EXPECT_TRUE(m.find("damaged") != std::string::npos) << m;
}

TEST(Keys, ExportWritesThePublicKeyOnly) {
  testing::TempLocusHome home;
  const KeyInfo info = generate_key("release");
  const fs::path out = home.path() / "release-export.pub";
  export_public_key("release", out);
  EXPECT_EQ(read_text(out), read_text(info.public_path));
  const PublicKey key = load_public_key(out.string());
  EXPECT_EQ(key.key_id, info.key_id);
  EXPECT_EQ(key.name, "release");
  EXPECT_EQ(read_text(out).find("secret"), std::string::npos);
}

TEST(Keys, UserPublicKeysSkipBrokenFiles) {
  testing::TempLocusHome home;
  generate_key("a");
  generate_key("b");
  write_text(home.path() / "keys" / "broken.pub", "garbage\n");
  std::vector<std::string> broken;
  const std::vector<PublicKey> keys = load_user_public_keys(&broken);
  ASSERT_EQ(keys.size(), 2u);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("broken.pub"), std::string::npos);
}

}  // namespace
}  // namespace locus::host
