#include "host/capsule/capsule_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "host/common/error.h"

namespace locus::host {

AlignedBuffer::AlignedBuffer(size_t size) : size_(size) {
  const size_t rounded = (size + 15) / 16 * 16;
  void* p = std::aligned_alloc(16, rounded == 0 ? 16 : rounded);
  if (p == nullptr) fail("out of memory allocating ", size, " bytes");
  data_.reset(static_cast<uint8_t*>(p));
}

void AlignedBuffer::Free::operator()(uint8_t* p) const { std::free(p); }

AlignedBuffer read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path, ": cannot open (", std::strerror(errno), ")");
  const std::streamoff size = in.tellg();
  if (size < 0) fail(path, ": cannot determine size");
  AlignedBuffer buffer(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(buffer.data()), size)) {
    fail(path, ": read failed");
  }
  return buffer;
}

AlignedBuffer copy_to_aligned(std::span<const uint8_t> bytes) {
  AlignedBuffer buffer(bytes.size());
  if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
  return buffer;
}

void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail(tmp, ": cannot flush to disk (", std::strerror(errno), ")");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, ": cannot replace (", std::strerror(err), ")");
  }
}

LoadedCapsule open_capsule(AlignedBuffer bytes, const std::string& origin) {
  LoadedCapsule loaded;
  loaded.bytes = std::move(bytes);
  const Status s = Capsule::open(loaded.bytes.data(), loaded.bytes.size(), &loaded.capsule);
  if (!s) fail(origin, ": ", s.message());
  return loaded;
}

LoadedCapsule load_capsule(const std::string& path) { return open_capsule(read_file(path), path); }

}  // namespace locus::host
