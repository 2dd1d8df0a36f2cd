#include "host/store/capsule_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "host/store/data_dir.h"
#include "runtime/capsule/capsule_reader.h"

namespace locus::host {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kIndexFormat = "locus-capsule-store";
constexpr int kIndexVersion = 1;
constexpr size_t kMinDigestPrefix = 8;

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool is_digest(const std::string& s) { return s.size() == 64 && is_hex(s); }

bool valid_ref_part(const std::string& s, const char* extra) {
  if (s.empty() || s.size() > 128) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alnum(c) || std::strchr(extra, c) != nullptr; });
}

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json empty_index() {
  return {{"format", kIndexFormat},
          {"version", kIndexVersion},
          {"tags", json::object()},
          {"capsules", json::object()}};
}

// Holds an exclusive advisory lock on <root>/.lock while index updates run.
class StoreLock {
 public:
  explicit StoreLock(const fs::path& root) {
    ensure_private_dir(root);
    const fs::path path = root / ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fail(path.string(), ": cannot open store lock (", std::strerror(errno), ")");
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        ::close(fd_);
        fail(path.string(), ": cannot lock the store (", std::strerror(err), ")");
      }
    }
  }
  ~StoreLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

// What the store records about a capsule, read from its (verified) bytes.
json capsule_meta(const Capsule& capsule, size_t size, int64_t added) {
  json meta = {{"size", size}, {"added_unix", added}};
  if (const auto* id = capsule.body()->identity()) {
    if (id->name()) meta["name"] = id->name()->str();
    if (id->version()) meta["version"] = id->version()->str();
    meta["created_unix"] = id->created_unix();
  }
  if (const auto* sig = capsule.envelope()->signature(); sig && sig->key_id()) {
    meta["key_id"] = sig->key_id()->str();
  }
  return meta;
}

std::string default_ref(const Capsule& capsule) {
  const auto* id = capsule.body()->identity();
  const std::string name = id && id->name() ? id->name()->str() : "";
  std::string version = id && id->version() ? id->version()->str() : "";
  if (version.empty()) version = "latest";
  if (!is_valid_ref_name(name)) {
    fail("store: the capsule's identity name '", name,
         "' cannot be used as a reference name; give a NAME:TAG");
  }
  if (!is_valid_ref_tag(version)) {
    fail("store: the capsule's version '", version,
         "' cannot be used as a tag; give a NAME:TAG");
  }
  return name + ":" + version;
}

template <typename T>
T meta_value(const json& meta, const char* key, T fallback) {
  auto it = meta.find(key);
  if (it == meta.end() || it->is_null()) return fallback;
  return it->get<T>();
}

StoreEntry make_entry(const std::string& ref, const std::string& digest, const json& capsules) {
  StoreEntry e;
  if (!ref.empty()) {
    const size_t colon = ref.rfind(':');
    e.name = ref.substr(0, colon);
    e.tag = ref.substr(colon + 1);
  }
  e.digest = digest;
  auto it = capsules.find(digest);
  if (it != capsules.end()) {
    const json& m = *it;
    e.size = meta_value<uint64_t>(m, "size", 0);
    e.created_unix = meta_value<int64_t>(m, "created_unix", 0);
    e.added_unix = meta_value<int64_t>(m, "added_unix", 0);
    e.key_id = meta_value<std::string>(m, "key_id", "");
    e.capsule_name = meta_value<std::string>(m, "name", "");
    e.capsule_version = meta_value<std::string>(m, "version", "");
  }
  return e;
}

}  // namespace

bool is_valid_ref_name(const std::string& name) { return valid_ref_part(name, "._-"); }
bool is_valid_ref_tag(const std::string& tag) { return valid_ref_part(tag, "._+-"); }

std::pair<std::string, std::string> parse_tag_ref(const std::string& ref) {
  const size_t colon = ref.find(':');
  if (colon == std::string::npos) fail("'", ref, "' is not a NAME:TAG reference (no ':')");
  std::string name = ref.substr(0, colon);
  std::string tag = ref.substr(colon + 1);
  if (!is_valid_ref_name(name)) {
    fail("'", ref, "': name '", name,
         "' is not valid (1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
  }
  if (!is_valid_ref_tag(tag)) {
    fail("'", ref, "': tag '", tag,
         "' is not valid (1 to 128 of A-Z a-z 0-9 . _ + -, starting with a letter or digit)");
  }
  if (name == "sha256") fail("'", ref, "': 'sha256' is reserved for digests");
  return {std::move(name), std::move(tag)};
}

CapsuleStore::CapsuleStore() : CapsuleStore(locus_data_dir()) {}
CapsuleStore::CapsuleStore(fs::path data_dir) : root_(std::move(data_dir) / "capsules") {}

fs::path CapsuleStore::capsule_path(const std::string& digest) const {
  return root_ / "sha256" / (digest + ".capsule");
}

json CapsuleStore::load_index() const {
  const fs::path path = index_path();
  std::error_code ec;
  if (!fs::exists(path, ec)) return empty_index();
  const std::string hint = "; the capsule files under " + (root_ / "sha256").string() +
                           " are untouched — run 'locus ls --repair-index' to rebuild the index "
                           "from them";
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot read the store index (", std::strerror(errno), ")");
  std::stringstream text;
  text << in.rdbuf();
  json index;
  try {
    index = json::parse(text.str());
  } catch (const json::parse_error& e) {
    fail(path.string(), ": store index is corrupt (", e.what(), ")", hint);
  }
  // Shape checks, so that nothing below meets an unexpected type.
  auto corrupt = [&](const std::string& what) {
    fail(path.string(), ": store index is corrupt (", what, ")", hint);
  };
  if (!index.is_object()) corrupt("not a JSON object");
  if (index.value("format", "") != kIndexFormat) corrupt("missing format 'locus-capsule-store'");
  if (!index.contains("version") || !index["version"].is_number_integer()) corrupt("no version");
  if (index["version"].get<int>() > kIndexVersion) {
    fail(path.string(), ": store index version ", index["version"].get<int>(),
         " is newer than this build reads (", kIndexVersion, ")");
  }
  if (!index.contains("tags") || !index["tags"].is_object()) corrupt("'tags' is not an object");
  if (!index.contains("capsules") || !index["capsules"].is_object()) {
    corrupt("'capsules' is not an object");
  }
  for (const auto& [ref, digest] : index["tags"].items()) {
    if (!digest.is_string() || !is_digest(digest.get<std::string>())) {
      corrupt("tag '" + ref + "' does not map to a 64-hex-digit digest");
    }
  }
  for (const auto& [digest, meta] : index["capsules"].items()) {
    if (!is_digest(digest) || !meta.is_object()) corrupt("bad capsule entry '" + digest + "'");
    for (const char* key : {"size", "created_unix", "added_unix"}) {
      if (meta.contains(key) && !meta[key].is_number_integer()) {
        corrupt("capsule " + digest + ": '" + key + "' is not an integer");
      }
    }
    for (const char* key : {"key_id", "name", "version"}) {
      if (meta.contains(key) && !meta[key].is_string()) {
        corrupt("capsule " + digest + ": '" + key + "' is not a string");
      }
    }
  }
  return index;
}

void CapsuleStore::save_index(const json& index) {
  ensure_private_dir(root_);
  const std::string text = index.dump(2) + "\n";
  write_file_atomic_mode(index_path(),
                         {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, 0644);
}

StoreAddResult CapsuleStore::add(std::span<const uint8_t> bytes, const std::string& ref,
                                 const VerifyOptions& verify) {
  const VerifyReport report = verify_capsule(bytes, verify, "store add");
  if (!report.ok()) fail(report.error_message(), "; not added to the store");
  const AlignedBuffer aligned = copy_to_aligned(bytes);
  Capsule capsule;
  const Status s = Capsule::open(aligned.data(), aligned.size(), &capsule);
  if (!s) fail("store add: ", s.message());  // cannot happen after verification
  const std::string target = ref.empty() ? default_ref(capsule) : ref;
  parse_tag_ref(target);

  StoreAddResult result;
  result.digest = report.digest;
  result.ref = target;

  StoreLock lock(root_);
  json index = load_index();
  ensure_private_dir(root_ / "sha256");
  const fs::path file = capsule_path(result.digest);
  std::error_code ec;
  // Content-addressed by body digest: the same digest is the same body, but
  // the envelope may differ (signed or not, another signer). The stored file
  // is replaced when it is damaged or the new capsule carries a signature;
  // an unsigned copy never replaces a signed one.
  bool present = false;
  bool keep_existing = false;
  AlignedBuffer existing;
  Capsule existing_capsule;
  if (fs::exists(file, ec)) {
    try {
      existing = read_file(file.string());
      present = existing.size() == bytes.size() &&
                std::memcmp(existing.data(), bytes.data(), bytes.size()) == 0;
      if (!present && capsule.envelope()->signature() == nullptr) {
        VerifyOptions structural;
        structural.search_user_keys = false;
        structural.run_self_test = false;
        const VerifyReport old = verify_capsule(existing.span(), structural, file.string());
        keep_existing = old.digest == result.digest &&
                        old.checks[0].status == CheckStatus::kPass &&
                        old.checks[1].status == CheckStatus::kPass &&
                        Capsule::open(existing.data(), existing.size(), &existing_capsule);
      }
    } catch (const Error&) {
      present = keep_existing = false;
    }
  }
  if (!present && !keep_existing) write_file_atomic_mode(file, bytes, 0644);
  result.already_present = (present || keep_existing) && index["capsules"].contains(result.digest);

  json meta = keep_existing ? capsule_meta(existing_capsule, existing.size(), now_unix())
                            : capsule_meta(capsule, bytes.size(), now_unix());
  if (index["capsules"].contains(result.digest)) {
    meta["added_unix"] = index["capsules"][result.digest].value("added_unix", meta["added_unix"]);
  }
  index["capsules"][result.digest] = meta;
  index["tags"][target] = result.digest;
  save_index(index);
  return result;
}

std::vector<StoreEntry> CapsuleStore::list() const {
  const json index = load_index();
  std::vector<StoreEntry> entries;
  std::map<std::string, bool> tagged;
  for (const auto& [ref, digest] : index["tags"].items()) {
    entries.push_back(make_entry(ref, digest.get<std::string>(), index["capsules"]));
    tagged[digest.get<std::string>()] = true;
  }
  std::sort(entries.begin(), entries.end(), [](const StoreEntry& a, const StoreEntry& b) {
    return std::tie(a.name, a.tag) < std::tie(b.name, b.tag);
  });
  for (const auto& [digest, meta] : index["capsules"].items()) {
    if (!tagged.count(digest)) entries.push_back(make_entry("", digest, index["capsules"]));
  }
  return entries;
}

std::string CapsuleStore::resolve(const std::string& ref) const {
  if (ref.empty()) fail("store: empty reference");
  const json index = load_index();
  const json& tags = index["tags"];
  const json& capsules = index["capsules"];

  auto by_digest_prefix = [&](const std::string& prefix) -> std::string {
    if (prefix.size() < kMinDigestPrefix) {
      fail("store: digest prefix '", prefix, "' is too short (at least ", kMinDigestPrefix,
           " hex digits)");
    }
    std::vector<std::string> matches;
    for (const auto& [digest, meta] : capsules.items()) {
      if (digest.compare(0, prefix.size(), prefix) == 0) matches.push_back(digest);
    }
    if (matches.size() == 1) return matches.front();
    if (matches.empty()) return {};
    std::string list;
    for (const std::string& m : matches) list += (list.empty() ? "" : ", ") + m.substr(0, 16);
    fail("store: digest prefix '", prefix, "' is ambiguous: it matches ", matches.size(),
         " capsules (", list, "); give more digits");
  };

  if (ref.rfind("sha256:", 0) == 0) {
    std::string prefix = ref.substr(7);
    std::transform(prefix.begin(), prefix.end(), prefix.begin(), ::tolower);
    if (!is_hex(prefix)) fail("store: '", ref, "' is not a digest (hex digits after sha256:)");
    std::string digest = by_digest_prefix(prefix);
    if (digest.empty()) fail("store: no capsule with digest ", ref, " (see 'locus ls')");
    return digest;
  }
  if (ref.find(':') != std::string::npos) {
    auto it = tags.find(ref);
    if (it == tags.end()) fail("store: no capsule tagged '", ref, "' (see 'locus ls')");
    return it->get<std::string>();
  }
  std::string lower = ref;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const bool hex = is_hex(lower);
  if (hex && lower.size() >= kMinDigestPrefix) {
    std::string digest = by_digest_prefix(lower);
    if (!digest.empty()) return digest;
  }
  // A bare NAME: its only tag, or NAME:latest.
  std::vector<std::string> name_tags;
  for (const auto& [tag_ref, digest] : tags.items()) {
    if (tag_ref.compare(0, ref.size() + 1, ref + ":") == 0) name_tags.push_back(tag_ref);
  }
  if (name_tags.size() == 1) return tags[name_tags.front()].get<std::string>();
  if (tags.contains(ref + ":latest")) return tags[ref + ":latest"].get<std::string>();
  if (name_tags.size() > 1) {
    std::string list;
    for (const std::string& t : name_tags) list += (list.empty() ? "" : ", ") + t;
    fail("store: '", ref, "' is ambiguous: it has ", name_tags.size(), " tags (", list,
         "); give NAME:TAG");
  }
  if (hex && lower.size() < kMinDigestPrefix) {
    fail("store: no capsule named '", ref, "' (a digest prefix needs at least ",
         kMinDigestPrefix, " hex digits)");
  }
  fail("store: no capsule matches '", ref, "' (see 'locus ls')");
}

std::string CapsuleStore::tag(const std::string& source, const std::string& target) {
  parse_tag_ref(target);
  StoreLock lock(root_);
  const std::string digest = resolve(source);
  json index = load_index();
  std::error_code ec;
  if (!fs::exists(capsule_path(digest), ec)) {
    fail("store: the capsule file for ", source, " is missing (", capsule_path(digest).string(),
         ")");
  }
  index["tags"][target] = digest;
  save_index(index);
  return digest;
}

void CapsuleStore::remove_if_untagged(json& index, const std::string& digest,
                                      StoreRemoveResult* result) {
  for (const auto& [ref, d] : index["tags"].items()) {
    if (d.get<std::string>() == digest) return;
  }
  index["capsules"].erase(digest);
  // The index no longer refers to the file before the file goes, so a crash
  // in between leaves an orphan file (harmless), never a dangling tag.
  save_index(index);
  std::error_code ec;
  fs::remove(capsule_path(digest), ec);
  if (ec) fail(capsule_path(digest).string(), ": cannot delete (", ec.message(), ")");
  result->file_deleted = true;
}

StoreRemoveResult CapsuleStore::remove(const std::string& ref) {
  StoreLock lock(root_);
  json index = load_index();
  StoreRemoveResult result;
  if (ref.find(':') != std::string::npos && ref.rfind("sha256:", 0) != 0) {
    auto it = index["tags"].find(ref);
    if (it == index["tags"].end()) fail("store: no capsule tagged '", ref, "' (see 'locus ls')");
    result.digest = it->get<std::string>();
    index["tags"].erase(ref);
    save_index(index);
    remove_if_untagged(index, result.digest, &result);
    return result;
  }
  // A digest: only an untagged capsule goes this way.
  result.digest = resolve(ref);
  std::vector<std::string> refs;
  for (const auto& [tag_ref, d] : index["tags"].items()) {
    if (d.get<std::string>() == result.digest) refs.push_back(tag_ref);
  }
  if (!refs.empty()) {
    std::string list;
    for (const std::string& r : refs) list += (list.empty() ? "" : ", ") + r;
    fail("store: capsule ", result.digest.substr(0, 12), " is still tagged (", list,
         "); remove those tags instead");
  }
  remove_if_untagged(index, result.digest, &result);
  return result;
}

fs::path CapsuleStore::path(const std::string& ref) const {
  const std::string digest = resolve(ref);
  const fs::path file = capsule_path(digest);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    fail("store: '", ref, "' refers to capsule ", digest.substr(0, 12), " but its file ",
         file.string(), " is missing");
  }
  return file;
}

StoreRepairResult CapsuleStore::repair_index() {
  StoreLock lock(root_);
  StoreRepairResult result;
  std::error_code ec;
  if (fs::exists(index_path(), ec)) {
    result.moved_index = root_ / ("index.json.corrupt-" + std::to_string(now_unix()));
    fs::rename(index_path(), result.moved_index, ec);
    if (ec) fail(index_path().string(), ": cannot move aside (", ec.message(), ")");
  }
  json index = empty_index();
  std::vector<fs::path> files;
  if (fs::is_directory(root_ / "sha256", ec)) {
    for (const auto& entry : fs::directory_iterator(root_ / "sha256", ec)) {
      if (entry.path().extension() == ".capsule") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string digest = file.stem().string();
    try {
      if (!is_digest(digest)) fail("file name is not a digest");
      const AlignedBuffer bytes = read_file(file.string());
      VerifyOptions options;
      options.search_user_keys = false;
      options.run_self_test = false;
      const VerifyReport report = verify_capsule(bytes.span(), options, file.string());
      // Only structure and digest matter here: the signer's key may be gone.
      for (const VerifyCheck& c : report.checks) {
        if (c.status == CheckStatus::kFail && c.name != "signature") {
          fail(c.name, " check failed: ", c.message);
        }
      }
      if (report.digest != digest) fail("body digest is ", report.digest);
      Capsule capsule;
      if (!Capsule::open(bytes.data(), bytes.size(), &capsule)) fail("does not open");
      index["capsules"][digest] = capsule_meta(capsule, bytes.size(), now_unix());
      try {
        const std::string ref = default_ref(capsule);
        if (!index["tags"].contains(ref)) index["tags"][ref] = digest;
      } catch (const Error&) {
        // Untagged; still reachable by digest.
      }
      ++result.capsules;
    } catch (const Error& e) {
      result.skipped.push_back(file.string() + ": " + e.what());
    }
  }
  save_index(index);
  return result;
}

namespace {

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

std::string format_size(uint64_t bytes) {
  char buffer[32];
  if (bytes < 10 * 1024) {
    std::snprintf(buffer, sizeof(buffer), "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 10 * 1024 * 1024) {
    std::snprintf(buffer, sizeof(buffer), "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.1f MiB", static_cast<double>(bytes) / 1048576);
  }
  return buffer;
}

}  // namespace

std::string render_store_list(const std::vector<StoreEntry>& entries) {
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({"NAME", "TAG", "DIGEST", "SIZE", "CREATED (UTC)", "SIGNED BY"});
  for (const StoreEntry& e : entries) {
    rows.push_back({e.tag.empty() ? "<none>" : e.name, e.tag.empty() ? "<none>" : e.tag,
                    e.digest.substr(0, 12), format_size(e.size), format_time(e.created_unix),
                    e.key_id.empty() ? "-" : e.key_id});
  }
  std::array<size_t, 6> width{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

json store_list_json(const std::vector<StoreEntry>& entries) {
  json rows = json::array();
  for (const StoreEntry& e : entries) {
    json row = {{"digest", e.digest}, {"size", e.size}, {"created_unix", e.created_unix},
                {"added_unix", e.added_unix}};
    if (e.tag.empty()) {
      row["ref"] = nullptr;
    } else {
      row["ref"] = e.ref();
      row["name"] = e.name;
      row["tag"] = e.tag;
    }
    row["key_id"] = e.key_id.empty() ? json(nullptr) : json(e.key_id);
    if (!e.capsule_name.empty()) row["capsule_name"] = e.capsule_name;
    if (!e.capsule_version.empty()) row["capsule_version"] = e.capsule_version;
    rows.push_back(std::move(row));
  }
  return rows;
}

CapsuleSource load_capsule_source(const std::string& file_or_ref) {
  CapsuleSource source;
  std::error_code ec;
  const bool is_file = fs::is_regular_file(file_or_ref, ec);
  fs::path path = file_or_ref;
  if (!is_file) {
    if (fs::exists(file_or_ref, ec)) fail(file_or_ref, ": not a regular file");
    const bool looks_like_file =
        file_or_ref.find('/') != std::string::npos ||
        (file_or_ref.size() > 8 && file_or_ref.ends_with(".capsule"));
    if (looks_like_file) fail(file_or_ref, ": no such file");
    const CapsuleStore store;
    try {
      path = store.path(file_or_ref);
    } catch (const Error& e) {
      fail("'", file_or_ref, "' is neither a file nor a capsule in the store (", e.what(), ")");
    }
    source.origin = file_or_ref + " (sha256:" + path.stem().string().substr(0, 12) + ")";
    source.from_store = true;
  } else {
    source.origin = file_or_ref;
  }
  const AlignedBuffer bytes = read_file(path.string());
  source.bytes.assign(bytes.data(), bytes.data() + bytes.size());
  return source;
}

}  // namespace locus::host
