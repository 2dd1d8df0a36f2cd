// What locus build does for --sign and --tag.
#include "cli/commands.h"
#include "host/common/error.h"

namespace locus::cli {

std::vector<uint8_t> sign_for_build(const std::string& key, const std::vector<uint8_t>&) {
  host::fail("--sign ", key, ": signing is not available in this build yet");
}

std::string store_for_build(const std::string& tag, const std::vector<uint8_t>&) {
  host::fail("--tag ", tag, ": the local store is not available in this build yet");
}

}  // namespace locus::cli
