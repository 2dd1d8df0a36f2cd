// The per-user Locus data directory, where keys and the local capsule store
// live: $LOCUS_HOME if set, else $XDG_DATA_HOME/locus, else
// ~/.local/share/locus.
#ifndef LOCUS_HOST_STORE_DATA_DIR_H_
#define LOCUS_HOST_STORE_DATA_DIR_H_

#include <filesystem>
#include <span>
#include <string>

namespace locus::host {

// The directory (not created). Throws Error when none of LOCUS_HOME,
// XDG_DATA_HOME and HOME is set.
std::filesystem::path locus_data_dir();

// Creates `dir` and its missing parents; directories this creates get mode
// 0700 (private to the user). Throws Error naming the directory on failure.
void ensure_private_dir(const std::filesystem::path& dir);

// Like write_file_atomic (write a private temporary beside PATH, fsync, rename), but the file
// is created with `mode` (e.g. 0600 for secrets; the umask may narrow it)
// before any byte is written.
// With `replace` false the final step refuses to replace an existing file
// (link + unlink, atomic): throws Error saying PATH already exists.
void write_file_atomic_mode(const std::filesystem::path& path, std::span<const uint8_t> bytes,
                            unsigned mode, bool replace = true);

}  // namespace locus::host

#endif  // LOCUS_HOST_STORE_DATA_DIR_H_
