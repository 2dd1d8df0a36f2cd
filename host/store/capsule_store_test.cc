#include "host/store/capsule_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <thread>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/signing/capsule_signing.h"
#include "host/signing/keys.h"
#include "host/store/temp_locus_home.h"
#include "tests/support/tiny_models.h"

namespace locus::host {
namespace {
namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Distinct capsules: same graph, another version (so another body digest).
std::vector<uint8_t> capsule_version(const std::string& version) {
  CapsuleSpec spec = locus::testing::tiny_classifier_spec();
  spec.identity.version = version;
  return build_capsule(std::move(spec)).bytes;
}

unsigned file_mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(0, ::stat(p.c_str(), &st)) << p;
  return st.st_mode & 0777;
}

class Store : public ::testing::Test {
 protected:
  testing::TempLocusHome home_;
  CapsuleStore store_;
};

TEST_F(Store, AddListResolvePath) {
  const std::vector<uint8_t> bytes = locus::testing::tiny_classifier_capsule();
  const StoreAddResult added = store_.add(bytes);
  EXPECT_EQ(added.ref, "tiny:1.2.3");
  EXPECT_EQ(added.digest.size(), 64u);
  EXPECT_FALSE(added.already_present);
  EXPECT_EQ(store_.root(), home_.path() / "capsules");

  const fs::path file = home_.path() / "capsules" / "sha256" / (added.digest + ".capsule");
  ASSERT_TRUE(fs::exists(file));
  const AlignedBuffer stored = read_file(file.string());
  EXPECT_EQ(std::vector<uint8_t>(stored.data(), stored.data() + stored.size()), bytes);

  const std::vector<StoreEntry> entries = store_.list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "tiny");
  EXPECT_EQ(entries[0].tag, "1.2.3");
  EXPECT_EQ(entries[0].ref(), "tiny:1.2.3");
  EXPECT_EQ(entries[0].digest, added.digest);
  EXPECT_EQ(entries[0].size, bytes.size());
  EXPECT_EQ(entries[0].capsule_name, "tiny");
  EXPECT_TRUE(entries[0].key_id.empty());
  EXPECT_GT(entries[0].added_unix, 0);

  EXPECT_EQ(store_.resolve("tiny:1.2.3"), added.digest);
  EXPECT_EQ(store_.resolve("tiny"), added.digest);  // its only tag
  EXPECT_EQ(store_.resolve(added.digest), added.digest);
  EXPECT_EQ(store_.resolve(added.digest.substr(0, 8)), added.digest);
  EXPECT_EQ(store_.resolve("sha256:" + added.digest.substr(0, 12)), added.digest);
  EXPECT_EQ(store_.path("tiny:1.2.3"), file);

  // Adding the same capsule again is idempotent.
  const StoreAddResult again = store_.add(bytes);
  EXPECT_TRUE(again.already_present);
  EXPECT_EQ(store_.list().size(), 1u);
}

TEST_F(Store, SignedCapsulesRecordTheirKey) {
  generate_key("release");
  const std::vector<uint8_t> signed_bytes =
      sign_capsule_with("release", locus::testing::tiny_classifier_capsule());
  store_.add(signed_bytes, "tiny:signed");
  const std::vector<StoreEntry> entries = store_.list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key_id, load_public_key("release").key_id);
}

TEST_F(Store, AnUnsignedCopyNeverReplacesASignedOne) {
  generate_key("release");
  const std::vector<uint8_t> plain = locus::testing::tiny_classifier_capsule();
  const std::vector<uint8_t> signed_bytes = sign_capsule_with("release", plain);
  const std::string key_id = load_public_key("release").key_id;
  const std::string digest = store_.add(plain, "a:1").digest;
  EXPECT_TRUE(store_.list()[0].key_id.empty());
  EXPECT_EQ(store_.add(signed_bytes, "a:2").digest, digest);  // signed replaces unsigned
  store_.add(plain, "a:3");                                    // unsigned keeps signed
  for (const StoreEntry& e : store_.list()) EXPECT_EQ(e.key_id, key_id) << e.ref();
  const AlignedBuffer stored = read_file(store_.path("a:3").string());
  EXPECT_EQ(std::vector<uint8_t>(stored.data(), stored.data() + stored.size()), signed_bytes);
}

TEST_F(Store, AddVerifiesFirst) {
  std::vector<uint8_t> bytes = locus::testing::tiny_classifier_capsule();
  bytes[bytes.size() / 2] ^= 0xFF;
  const std::string m = error_of([&] { store_.add(bytes); });
  EXPECT_NE(m.find("check failed"), std::string::npos) << m;
  EXPECT_NE(m.find("not added"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(store_.index_path()));
  EXPECT_TRUE(store_.list().empty());

  // A signature by an unknown key is refused too.
  generate_key("gone");
  const std::vector<uint8_t> signed_bytes =
      sign_capsule_with("gone", locus::testing::tiny_classifier_capsule());
  fs::remove(home_.path() / "keys" / "gone.pub");
  EXPECT_NE(error_of([&] { store_.add(signed_bytes); }).find("signature check failed"),
            std::string::npos);
}

TEST_F(Store, TagAndRemove) {
  const std::string digest = store_.add(locus::testing::tiny_classifier_capsule()).digest;
  EXPECT_EQ(store_.tag("tiny:1.2.3", "kws:prod"), digest);
  EXPECT_EQ(store_.tag(digest.substr(0, 10), "kws:canary"), digest);
  EXPECT_EQ(store_.resolve("kws:prod"), digest);
  EXPECT_EQ(store_.list().size(), 3u);
  const fs::path file = store_.capsule_path(digest);

  // Removing one of several tags keeps the file.
  StoreRemoveResult r = store_.remove("tiny:1.2.3");
  EXPECT_EQ(r.digest, digest);
  EXPECT_FALSE(r.file_deleted);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_NE(error_of([&] { store_.resolve("tiny:1.2.3"); }).find("no capsule tagged"),
            std::string::npos);

  // 'kws' now has two tags: ambiguous as a bare name.
  EXPECT_NE(error_of([&] { store_.resolve("kws"); }).find("ambiguous"), std::string::npos);

  // A digest of a tagged capsule cannot be removed directly.
  EXPECT_NE(error_of([&] { store_.remove(digest.substr(0, 8)); }).find("still tagged"),
            std::string::npos);

  r = store_.remove("kws:prod");
  EXPECT_FALSE(r.file_deleted);
  r = store_.remove("kws:canary");
  EXPECT_TRUE(r.file_deleted);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(store_.list().empty());

  EXPECT_NE(error_of([&] { store_.remove("kws:canary"); }).find("no capsule tagged 'kws:canary'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { store_.tag("nothing:here", "a:b"); }).find("no capsule tagged"),
            std::string::npos);
}

TEST_F(Store, BadReferencesAreRejected) {
  store_.add(locus::testing::tiny_classifier_capsule());
  for (const char* bad : {"noColon", "a:", ":b", "a b:c", "a:b:c", "-x:y", "sha256:abc"}) {
    EXPECT_NE(error_of([&] { store_.tag("tiny:1.2.3", bad); }), "(no error)") << bad;
  }
  EXPECT_NE(error_of([&] { store_.resolve("abcd"); }).find("at least 8"), std::string::npos);
  EXPECT_NE(error_of([&] { store_.resolve("sha256:abcd"); }).find("too short"),
            std::string::npos);
  EXPECT_NE(error_of([&] { store_.resolve("nosuch"); }).find("no capsule matches"),
            std::string::npos);
}

TEST_F(Store, MovingATagKeepsTheOldCapsuleUntagged) {
  const std::string d1 = store_.add(capsule_version("1.0.0"), "kws:prod").digest;
  const std::string d2 = store_.add(capsule_version("2.0.0"), "kws:prod").digest;
  ASSERT_NE(d1, d2);
  EXPECT_EQ(store_.resolve("kws:prod"), d2);
  const std::vector<StoreEntry> entries = store_.list();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].ref(), "kws:prod");
  EXPECT_TRUE(entries[1].tag.empty());
  EXPECT_EQ(entries[1].digest, d1);
  EXPECT_TRUE(fs::exists(store_.capsule_path(d1)));
  // An untagged capsule goes by digest.
  const StoreRemoveResult r = store_.remove(d1.substr(0, 12));
  EXPECT_TRUE(r.file_deleted);
  EXPECT_FALSE(fs::exists(store_.capsule_path(d1)));
}

TEST_F(Store, DigestPrefixResolutionAndAmbiguity) {
  // Every capsule resolves by its first 8 hex digits.
  std::vector<std::string> digests;
  for (int i = 0; i < 3; ++i) {
    digests.push_back(store_.add(capsule_version("1.0." + std::to_string(i))).digest);
  }
  for (const std::string& d : digests) {
    EXPECT_EQ(store_.resolve(d.substr(0, 8)), d);
    std::string upper = d.substr(0, 10);
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    EXPECT_EQ(store_.resolve(upper), d);
  }
  // Make an ambiguous prefix: copy a capsule under a digest sharing the
  // first 12 hex digits of another (the index is what resolution reads).
  nlohmann::json index;
  {
    std::ifstream in(store_.index_path());
    in >> index;
  }
  std::string twin = digests[0];
  twin[63] = twin[63] == '0' ? '1' : '0';
  index["capsules"][twin] = index["capsules"][digests[0]];
  index["tags"]["twin:1"] = twin;
  std::ofstream(store_.index_path()) << index.dump();
  const std::string m = error_of([&] { store_.resolve(digests[0].substr(0, 12)); });
  EXPECT_NE(m.find("ambiguous"), std::string::npos) << m;
  EXPECT_NE(m.find("2 capsules"), std::string::npos) << m;
  EXPECT_EQ(store_.resolve(digests[0]), digests[0]);  // the full digest is not ambiguous
  // The twin's file does not exist: path() says so.
  EXPECT_NE(error_of([&] { store_.path("twin:1"); }).find("is missing"), std::string::npos);
}

TEST_F(Store, CorruptIndexIsReportedAndCapsulesSurvive) {
  const std::string digest = store_.add(locus::testing::tiny_classifier_capsule()).digest;
  store_.tag("tiny:1.2.3", "kws:prod");
  const fs::path file = store_.capsule_path(digest);
  std::ofstream(store_.index_path()) << "{\"format\": \"locus-capsule-store\", \"tags\": [";

  for (const auto& op : std::vector<std::function<void()>>{
           [&] { store_.list(); }, [&] { store_.resolve("tiny:1.2.3"); },
           [&] { store_.tag("tiny:1.2.3", "x:y"); }, [&] { store_.remove("kws:prod"); },
           [&] { store_.add(capsule_version("9.9.9")); }}) {
    const std::string m = error_of(op);
    EXPECT_NE(m.find("store index is corrupt"), std::string::npos) << m;
    EXPECT_NE(m.find("index.json"), std::string::npos) << m;
    EXPECT_NE(m.find("untouched"), std::string::npos) << m;
  }
  EXPECT_TRUE(fs::exists(file));

  // Valid JSON of the wrong shape is corrupt too.
  std::ofstream(store_.index_path())
      << R"({"format":"locus-capsule-store","version":1,"tags":{"a:b":42},"capsules":{}})";
  EXPECT_NE(error_of([&] { store_.list(); }).find("tag 'a:b'"), std::string::npos);

  // Repair rebuilds the index from the files (default tags) and keeps the
  // damaged index aside.
  const StoreRepairResult repaired = store_.repair_index();
  EXPECT_EQ(repaired.capsules, 1u);  // the failed add wrote nothing
  EXPECT_TRUE(repaired.skipped.empty());
  EXPECT_TRUE(fs::exists(repaired.moved_index));
  EXPECT_EQ(store_.resolve("tiny:1.2.3"), digest);
  EXPECT_EQ(store_.list().size(), 1u);
}

TEST_F(Store, RepairIndexSkipsDamagedFiles) {
  const std::string digest = store_.add(locus::testing::tiny_classifier_capsule()).digest;
  const std::string d2 = store_.add(capsule_version("2.0.0")).digest;
  std::ofstream(store_.index_path()) << "not json";
  {
    // Damage the second capsule file.
    std::fstream f(store_.capsule_path(d2), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x55');
  }
  const StoreRepairResult r = store_.repair_index();
  EXPECT_EQ(r.capsules, 1u);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_NE(r.skipped[0].find(d2), std::string::npos);
  EXPECT_TRUE(fs::exists(r.moved_index));
  EXPECT_EQ(store_.resolve("tiny:1.2.3"), digest);
  EXPECT_TRUE(fs::exists(store_.capsule_path(d2)));  // left in place, not deleted
}

TEST_F(Store, FilesHaveTheRightPermissionsAndNoTemporariesRemain) {
  const std::string digest = store_.add(locus::testing::tiny_classifier_capsule()).digest;
  EXPECT_EQ(file_mode(store_.capsule_path(digest)) & 0622, 0600u);
  EXPECT_EQ(file_mode(store_.index_path()) & 0622, 0600u);
  EXPECT_EQ(file_mode(store_.root()), 0700u);
  for (const auto& e : fs::recursive_directory_iterator(store_.root())) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST_F(Store, ConcurrentAddsLoseNoTag) {
  const std::vector<uint8_t> a = capsule_version("1.0.0");
  const std::vector<uint8_t> b = capsule_version("2.0.0");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        CapsuleStore store;
        store.add(t % 2 ? a : b, "kws:t" + std::to_string(t) + "-" + std::to_string(i));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(store_.list().size(), 20u);
}

}  // namespace
}  // namespace locus::host
