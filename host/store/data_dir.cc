#include "host/store/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "host/common/error.h"

namespace locus::host {
namespace fs = std::filesystem;

fs::path locus_data_dir() {
  const char* home = std::getenv("LOCUS_HOME");
  if (home != nullptr && *home != '\0') return fs::path(home);
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "locus";
  const char* user_home = std::getenv("HOME");
  if (user_home != nullptr && *user_home != '\0') {
    return fs::path(user_home) / ".local" / "share" / "locus";
  }
  fail("data directory: none of LOCUS_HOME, XDG_DATA_HOME and HOME is set");
}

void ensure_private_dir(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir) ensure_private_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    fail(dir.string(), ": cannot create directory (", std::strerror(errno), ")");
  }
  if (!fs::is_directory(dir, ec)) fail(dir.string(), ": exists but is not a directory");
}

void write_file_atomic_mode(const fs::path& path, std::span<const uint8_t> bytes, unsigned mode,
                            bool replace) {
  // A per-process temporary name, so two writers never share one.
  static std::atomic<unsigned> counter{0};
  const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1));
  // The umask can only remove permission bits, so a secret created 0600
  // never becomes readable by others.
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                        static_cast<mode_t>(mode));
  if (fd < 0) fail(tmp, ": cannot create (", std::strerror(errno), ")");
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(tmp, ": write failed (", std::strerror(err), ")");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(tmp, ": cannot flush to disk (", std::strerror(err), ")");
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(tmp, ": cannot close (", std::strerror(err), ")");
  }
  if (replace) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      fail(path.string(), ": cannot replace (", std::strerror(err), ")");
    }
  } else {
    // link() fails with EEXIST instead of replacing: no window in which an
    // existing file could be overwritten.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) fail(path.string(), ": already exists (refusing to overwrite)");
      fail(path.string(), ": cannot create (", std::strerror(err), ")");
    }
    ::unlink(tmp.c_str());
  }
  // Make the rename/link durable.
  const std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace locus::host
