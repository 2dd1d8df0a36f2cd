#include "ports/cortex-m/semihosting.h"

#include <string.h>

namespace locus::port {
namespace {

enum Operation : uint32_t {
  kOpen = 0x01,
  kClose = 0x02,
  kWrite0 = 0x04,
  kRead = 0x06,
  kFileLength = 0x0C,
  kGetCommandLine = 0x15,
  kExitExtended = 0x20,
};

// The semihosting trap: operation in r0, argument block address in r1,
// result in r0 (Arm's "Semihosting for AArch32 and AArch64", BKPT 0xAB on M).
uintptr_t call(uint32_t operation, const void* argument) {
  register uintptr_t r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

}  // namespace

void semihost_write(const char* text) { call(kWrite0, text); }

int semihost_open(const char* path) {
  const uintptr_t block[3] = {reinterpret_cast<uintptr_t>(path), 1 /* "rb" */, strlen(path)};
  return static_cast<int>(call(kOpen, block));
}

long semihost_file_length(int handle) {
  const uintptr_t block[1] = {static_cast<uintptr_t>(handle)};
  return static_cast<long>(call(kFileLength, block));
}

size_t semihost_read(int handle, void* buffer, size_t bytes) {
  const uintptr_t block[3] = {static_cast<uintptr_t>(handle), reinterpret_cast<uintptr_t>(buffer),
                              bytes};
  return bytes - call(kRead, block);  // the call returns the bytes NOT read
}

void semihost_close(int handle) {
  const uintptr_t block[1] = {static_cast<uintptr_t>(handle)};
  call(kClose, block);
}

bool semihost_command_line(char* buffer, size_t capacity) {
  uintptr_t block[2] = {reinterpret_cast<uintptr_t>(buffer), capacity};
  return call(kGetCommandLine, block) == 0;
}

void semihost_exit(int status) {
  // ADS_Stopped_ApplicationExit with an exit code (SYS_EXIT_EXTENDED).
  const uintptr_t block[2] = {0x20026, static_cast<uintptr_t>(status)};
  call(kExitExtended, block);
  for (;;) {
  }
}

}  // namespace locus::port
