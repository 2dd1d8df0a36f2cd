// Arm semihosting (the debugger/emulator services QEMU's -semihosting
// provides): console output, host files, the command line and exit status.
// The firmware's only I/O; no newlib stdio is linked.
#ifndef LOCUS_PORTS_CORTEX_M_SEMIHOSTING_H_
#define LOCUS_PORTS_CORTEX_M_SEMIHOSTING_H_

#include <stddef.h>
#include <stdint.h>

namespace locus::port {

void semihost_write(const char* text);  // NUL-terminated, to the console
// Opens a host file for binary reading; -1 on failure.
int semihost_open(const char* path);
// Bytes of an open file, or -1.
long semihost_file_length(int handle);
// Reads up to `bytes`; returns the number read.
size_t semihost_read(int handle, void* buffer, size_t bytes);
void semihost_close(int handle);
// The command line QEMU was given with -semihosting-config arg=...; false if
// it does not fit.
bool semihost_command_line(char* buffer, size_t capacity);
[[noreturn]] void semihost_exit(int status);

}  // namespace locus::port

#endif  // LOCUS_PORTS_CORTEX_M_SEMIHOSTING_H_
