// What locus build does for --sign and --tag.
#include "cli/commands.h"
#include "host/signing/capsule_signing.h"
#include "host/store/capsule_store.h"

namespace locus::cli {

std::vector<uint8_t> sign_for_build(const std::string& key, const std::vector<uint8_t>& capsule) {
  return host::sign_capsule_with(key, capsule);
}

std::string store_for_build(const std::string& tag, const std::vector<uint8_t>& capsule) {
  host::CapsuleStore store;
  const host::StoreAddResult added = store.add(capsule, tag);
  return added.ref + " (sha256:" + added.digest.substr(0, 12) + ")";
}

}  // namespace locus::cli
