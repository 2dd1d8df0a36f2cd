#include "host/capsule/capsule_file.h"


#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "host/common/error.h"
#include "host/store/data_dir.h"

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
  write_file_atomic_mode(path, bytes, 0644, /*replace=*/true);
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
