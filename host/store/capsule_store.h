// The local capsule store: capsules kept content-addressed by body digest,
// plus an index of NAME:TAG references, in the user's data directory:
//
//   <data dir>/capsules/sha256/<hex digest>.capsule
//   <data dir>/capsules/index.json
//
// Every write is atomic (temporary file, fsync, rename) and index updates
// are serialised with an advisory lock, so concurrent commands of one user
// never leave a torn index. A corrupt index is reported, never overwritten:
// the capsule files stay where they are and repair_index() rebuilds it.
#ifndef LOCUS_HOST_STORE_CAPSULE_STORE_H_
#define LOCUS_HOST_STORE_CAPSULE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "host/signing/capsule_verify.h"

namespace locus::host {

// One row of `locus ls`: a tag and the capsule it refers to (tag empty for a
// capsule no tag refers to any more).
struct StoreEntry {
  std::string name;  // reference name and tag (NAME:TAG)
  std::string tag;
  std::string digest;  // 64 hex digits (body SHA-256)
  uint64_t size = 0;   // file bytes
  int64_t created_unix = 0;  // identity.created_unix of the capsule
  int64_t added_unix = 0;    // when it entered the store
  std::string key_id;        // signing key id, empty if unsigned
  std::string capsule_name;  // identity name and version
  std::string capsule_version;

  std::string ref() const { return tag.empty() ? digest : name + ":" + tag; }
};

struct StoreAddResult {
  std::string digest;
  std::string ref;             // NAME:TAG it was tagged with
  bool already_present = false;  // the same capsule was already stored
};

struct StoreRemoveResult {
  std::string digest;
  bool file_deleted = false;  // no tag referred to the capsule any more
};

struct StoreRepairResult {
  std::filesystem::path moved_index;  // where the old index went (empty if none)
  size_t capsules = 0;                // capsule files indexed
  std::vector<std::string> skipped;   // files left out, with the reason
};

// NAME: 1..128 of [A-Za-z0-9._-] starting with a letter or digit; TAG:
// 1..128 of [A-Za-z0-9._+-] starting with a letter or digit.
bool is_valid_ref_name(const std::string& name);
bool is_valid_ref_tag(const std::string& tag);
// Splits "NAME:TAG"; throws Error when it is not a valid reference.
std::pair<std::string, std::string> parse_tag_ref(const std::string& ref);

class CapsuleStore {
 public:
  // The store under `data_dir` (default: locus_data_dir()). Nothing is
  // created until the first write.
  CapsuleStore();
  explicit CapsuleStore(std::filesystem::path data_dir);

  // Verifies the capsule (verify_capsule with `verify`; any failed check
  // refuses it), stores it under its digest and tags it `ref` (default: the
  // capsule's identity NAME:VERSION). A tag that referred to another capsule
  // moves; that capsule stays in the store, untagged. Capsules with the same
  // body share one file: a signed capsule replaces the stored copy, an
  // unsigned one never replaces a signed copy.
  StoreAddResult add(std::span<const uint8_t> capsule, const std::string& ref = "",
                     const VerifyOptions& verify = {});

  // Every tag (sorted by name, tag) followed by untagged capsules.
  std::vector<StoreEntry> list() const;

  // Adds tag `target` (NAME:TAG) to the capsule `source` resolves to;
  // returns its digest.
  std::string tag(const std::string& source, const std::string& target);

  // NAME:TAG, NAME (when it has one tag, or a "latest" tag), or a digest
  // prefix of at least 8 hex digits (optionally "sha256:"), unambiguous.
  // Returns the full digest. Throws Error naming the reference otherwise.
  std::string resolve(const std::string& ref) const;

  // Removes tag NAME:TAG and deletes the capsule file when no tag refers to
  // it any more. A digest (prefix) removes an untagged capsule.
  StoreRemoveResult remove(const std::string& ref);

  // The file of the capsule `ref` resolves to (throws if it is missing).
  std::filesystem::path path(const std::string& ref) const;

  // Rebuilds the index from the capsule files: moves the old index aside
  // (index.json.corrupt-UNIXTIME), verifies each file's structure and digest,
  // and tags each capsule with its identity NAME:VERSION (first come first
  // served).
  StoreRepairResult repair_index();

  std::filesystem::path root() const { return root_; }  // <data dir>/capsules
  std::filesystem::path index_path() const { return root_ / "index.json"; }
  std::filesystem::path capsule_path(const std::string& digest) const;

 private:
  nlohmann::json load_index() const;
  void save_index(const nlohmann::json& index);
  void remove_if_untagged(nlohmann::json& index, const std::string& digest,
                          StoreRemoveResult* result);

  std::filesystem::path root_;
};

// `locus ls`: a table (NAME TAG DIGEST SIZE CREATED KEY) and JSON rows.
std::string render_store_list(const std::vector<StoreEntry>& entries);
nlohmann::json store_list_json(const std::vector<StoreEntry>& entries);

// Capsule bytes named on a command line: a file if `file_or_ref` is an
// existing file, otherwise a reference resolved in the store.
struct CapsuleSource {
  std::string origin;  // the file, or "REF (sha256:...)"
  std::vector<uint8_t> bytes;
  bool from_store = false;
};
CapsuleSource load_capsule_source(const std::string& file_or_ref);

}  // namespace locus::host

#endif  // LOCUS_HOST_STORE_CAPSULE_STORE_H_
