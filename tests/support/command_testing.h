// Tests that run a program (the locus CLI, a compiler, QEMU): its exit code
// and what it printed, through the shell.
#ifndef LOCUS_TESTS_SUPPORT_COMMAND_TESTING_H_
#define LOCUS_TESTS_SUPPORT_COMMAND_TESTING_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace locus::testing {

struct CommandResult {
  int exit_code = -1;  // -1: not started, or ended by a signal
  std::string out;     // what the command wrote to stdout (redirect stderr in the command)
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace locus::testing

#endif  // LOCUS_TESTS_SUPPORT_COMMAND_TESTING_H_
