// The firmware's main: "firmware MODEL=FILE ..." on the semihosting command
// line; each file is read from the host and run through the named model.
#include <string.h>

#include "ports/cortex-m/app/port_app.h"
#include "ports/cortex-m/instruction_counter.h"
#include "ports/cortex-m/semihosting.h"
#include "ports/cortex-m/stack_meter.h"

namespace locus::port {
namespace {

// Test-harness buffers (not part of a model's footprint: see docs/performance.md).
alignas(16) uint8_t g_file[64 * 1024];
uint8_t g_output[4096];
char g_command_line[4096];

void write_uint(uint64_t v) {
  char text[24];
  char* p = text + sizeof(text);
  *--p = '\0';
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  semihost_write(p);
}

void write_hex(const uint8_t* data, size_t bytes) {
  static const char kDigits[] = "0123456789abcdef";
  char chunk[65];
  size_t n = 0;
  for (size_t i = 0; i < bytes; ++i) {
    chunk[n++] = kDigits[data[i] >> 4];
    chunk[n++] = kDigits[data[i] & 15];
    if (n == 64 || i + 1 == bytes) {
      chunk[n] = '\0';
      semihost_write(chunk);
      n = 0;
    }
  }
}

void report_error(const char* model, const char* file, const char* message) {
  semihost_write("error ");
  semihost_write(model);
  semihost_write(" ");
  semihost_write(file);
  semihost_write(": ");
  semihost_write(message);
  semihost_write("\n");
}

const PortModel* find_model(const char* name) {
  for (size_t i = 0; i < kPortModelCount; ++i) {
    if (strcmp(kPortModels[i]->name, name) == 0) return kPortModels[i];
  }
  return nullptr;
}

bool read_file(const char* path, size_t* bytes) {
  const int handle = semihost_open(path);
  if (handle < 0) return false;
  const long length = semihost_file_length(handle);
  bool ok = length >= 0 && static_cast<size_t>(length) <= sizeof(g_file);
  if (ok) ok = semihost_read(handle, g_file, static_cast<size_t>(length)) ==
               static_cast<size_t>(length);
  semihost_close(handle);
  *bytes = ok ? static_cast<size_t>(length) : 0;
  return ok;
}

// "calibrate": counts a loop of exactly kLoopInstructions instructions, so a
// test can check the counter (docs/performance.md says how counts are made).
constexpr uint32_t kLoopIterations = 1000000;
constexpr uint32_t kLoopInstructions = 2 * kLoopIterations;  // subs + bne per iteration

void calibrate() {
  uint32_t n = kLoopIterations;
  const uint64_t t0 = instructions_now();
  asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
  const uint64_t counted = instructions_now() - t0;
  semihost_write("calibrate instructions=");
  write_uint(counted);
  semihost_write(" expected=");
  write_uint(kLoopInstructions);
  semihost_write("\n");
}

// One "MODEL=FILE" argument; false on any failure (reported).
bool run_argument(char* argument) {
  if (strcmp(argument, "calibrate") == 0) {
    calibrate();
    return true;
  }
  char* eq = strchr(argument, '=');
  if (eq == nullptr) {
    report_error("?", argument, "expected MODEL=FILE");
    return false;
  }
  *eq = '\0';
  const char* name = argument;
  const char* path = eq + 1;
  const PortModel* model = find_model(name);
  if (model == nullptr) {
    report_error(name, path, "no such model in this firmware");
    return false;
  }
  size_t bytes = 0;
  if (!read_file(path, &bytes)) {
    report_error(name, path, "cannot read the file (missing, or larger than the input buffer)");
    return false;
  }
  RunResult result;
  result.output = g_output;
  result.capacity = sizeof(g_output);
  const Status s = model->run(model->context, g_file, bytes, &result);
  if (!s) {
    report_error(name, path, s.message());
    return false;
  }
  semihost_write("result ");
  semihost_write(name);
  semihost_write(" ");
  semihost_write(path);
  semihost_write(" inferences=");
  write_uint(result.inferences);
  semihost_write(" output=");
  write_hex(result.output, result.bytes);
  semihost_write(" model_instructions=");
  write_uint(result.model_instructions);
  semihost_write(" dsp_instructions=");
  write_uint(result.dsp_instructions);
  semihost_write("\n");
  return true;
}

}  // namespace

Status append_output(const void* data, size_t bytes, RunResult* result) {
  if (result->bytes + bytes > result->capacity) {
    return Status::error(StatusCode::kResourceExhausted, "outputs exceed the %zu-byte buffer",
                         result->capacity);
  }
  memcpy(result->output + result->bytes, data, bytes);
  result->bytes += bytes;
  return Status::ok();
}

}  // namespace locus::port

int main() {
  using namespace locus::port;
  instruction_counter_start();
  if (!semihost_command_line(g_command_line, sizeof(g_command_line))) {
    semihost_write("error: no semihosting command line\n");
    return 2;
  }
  for (size_t i = 0; i < kPortModelCount; ++i) {
    const uint64_t t0 = instructions_now();
    const locus::Status s = kPortModels[i]->init(kPortModels[i]->context);
    const uint64_t init_instructions = instructions_now() - t0;
    if (!s) {
      report_error(kPortModels[i]->name, "-", s.message());
      return 1;
    }
    semihost_write("ready ");
    semihost_write(kPortModels[i]->name);
    semihost_write(" init_instructions=");  // open/verify, DSP tables, self-test
    write_uint(init_instructions);
    semihost_write("\n");
  }
  // The first word is the program name.
  int failures = 0;
  char* cursor = g_command_line;
  bool first = true;
  while (*cursor != '\0') {
    while (*cursor == ' ') ++cursor;
    if (*cursor == '\0') break;
    char* word = cursor;
    while (*cursor != '\0' && *cursor != ' ') ++cursor;
    if (*cursor == ' ') *cursor++ = '\0';
    if (first) {
      first = false;
      continue;
    }
    if (!run_argument(word)) ++failures;
  }
  semihost_write("stack_bytes=");
  write_uint(stack_high_water());
  semihost_write(failures == 0 ? "\ndone\n" : "\ndone with errors\n");
  return failures == 0 ? 0 : 1;
}
