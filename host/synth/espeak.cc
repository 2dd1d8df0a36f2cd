#include "host/synth/espeak.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "host/common/error.h"

extern char** environ;

namespace locus::host {
namespace {

namespace fs = std::filesystem;

struct ProcessResult {
  bool started = false;
  int exit_status = -1;  // -1: killed by a signal
  std::string output;    // stdout and stderr together
  std::string spawn_error;
};

// Runs argv[0] from PATH without a shell (so any text is passed as is),
// collecting stdout and stderr through one pipe.
ProcessResult run_process(const std::vector<std::string>& args) {
  ProcessResult r;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    r.spawn_error = std::strerror(errno);
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    r.spawn_error = std::strerror(rc);
    return r;
  }
  r.started = true;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
    if (n > 0) {
      if (r.output.size() < (1u << 20)) r.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

[[noreturn]] void cannot_run(const ProcessResult& r) {
  fail("espeak-ng: cannot run '", espeak_program(), "' (", r.spawn_error,
       "); install it with 'apt-get install espeak-ng' (scripts/setup does)");
}

// Variants in the order `--voices N` takes them: the numbered male and
// female voices alternating, then the klatt family, then everything else.
int variant_rank(const std::string& v) {
  static const char* kFirst[] = {"m1", "f1", "m2", "f2", "m3", "f3", "m4", "f4", "m5", "f5",
                                 "m6", "m7", "m8", "klatt", "klatt2", "klatt3", "klatt4",
                                 "klatt5", "klatt6"};
  const auto* it = std::find(std::begin(kFirst), std::end(kFirst), v);
  return it == std::end(kFirst) ? 1000 : static_cast<int>(it - std::begin(kFirst));
}

}  // namespace

std::string espeak_program() {
  const char* env = std::getenv("LOCUS_ESPEAK");
  return env != nullptr && *env != '\0' ? env : "espeak-ng";
}

bool espeak_available() {
  const ProcessResult r = run_process({espeak_program(), "--version"});
  return r.started && r.exit_status == 0;
}

std::vector<std::string> espeak_variants() {
  const ProcessResult r = run_process({espeak_program(), "--voices=variant"});
  if (!r.started) cannot_run(r);
  if (r.exit_status != 0) {
    fail("espeak-ng: listing the voice variants failed (exit status ", r.exit_status, "): ",
         trimmed(r.output));
  }
  // Rows end in the File column, "!v/NAME", sometimes followed by Other
  // Languages in parentheses; NAME is what follows '+' in a voice. The
  // columns are not aligned (long voice names push them), so find "!v/".
  // A name with a space cannot be passed on and is left out.
  std::vector<std::string> out;
  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t at = line.find(" !v/");
    if (at == std::string::npos) continue;
    const std::string file = trimmed(line.substr(at + 4, line.find(" (", at) - (at + 4)));
    if (!file.empty() && file.find(' ') == std::string::npos) out.push_back(file);
  }
  if (out.empty()) fail("espeak-ng: '", espeak_program(), " --voices=variant' listed no variants");
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    const int ra = variant_rank(a), rb = variant_rank(b);
    return ra != rb ? ra < rb : a < b;
  });
  return out;
}

std::vector<std::string> resolve_voices(const std::string& spec, const std::string& language) {
  const std::string s = trimmed(spec);
  if (s.empty()) fail("--voices: empty; give a number or a list such as et+m1,et+f2");
  const std::vector<std::string> variants = espeak_variants();
  if (std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (s.size() > 6) fail("--voices ", s, ": too many");
    const size_t n = std::stoul(s);
    if (n == 0) fail("--voices 0: need at least one voice");
    if (n > variants.size()) {
      fail("--voices ", n, ": espeak-ng has ", variants.size(),
           " voice variants; give at most that many, or a list of voices");
    }
    if (trimmed(language).empty()) fail("--language: empty (e.g. en-us, et, de)");
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) out.push_back(trimmed(language) + "+" + variants[i]);
    return out;
  }
  std::vector<std::string> out;
  std::istringstream items(s);
  std::string item;
  while (std::getline(items, item, ',')) {
    item = trimmed(item);
    const size_t plus = item.find('+');
    const std::string base = item.substr(0, plus);
    if (base.empty() || base.find_first_of(" \t/\\") != std::string::npos) {
      fail("--voices: '", item, "' is not a voice (LANGUAGE or LANGUAGE+VARIANT, e.g. et+m1)");
    }
    if (plus != std::string::npos) {
      const std::string variant = item.substr(plus + 1);
      if (std::find(variants.begin(), variants.end(), variant) == variants.end()) {
        fail("--voices: '", item, "': espeak-ng has no variant '", variant,
             "' ('espeak-ng --voices=variant' lists them, e.g. m1..m8, f1..f5, klatt)");
      }
    }
    if (std::find(out.begin(), out.end(), item) != out.end()) {
      fail("--voices: '", item, "' is listed twice");
    }
    out.push_back(item);
  }
  if (out.empty()) fail("--voices: no voices in '", spec, "'");
  return out;
}

Audio espeak_say(const Utterance& u, const std::string& temp_dir, uint32_t sample_rate) {
  static std::atomic<uint64_t> counter{0};
  const std::string wav =
      (fs::path(temp_dir) / ("say-" + std::to_string(counter.fetch_add(1)) + ".wav")).string();
  const std::string what = "espeak-ng voice '" + u.voice + "' saying '" + u.text + "'";
  // -b 1: the text is UTF-8 whatever the locale; "--" ends the options so a
  // text starting with '-' is spoken, not parsed.
  const ProcessResult r =
      run_process({espeak_program(), "-b", "1", "-v", u.voice, "-p", std::to_string(u.pitch), "-s",
                   std::to_string(u.speed), "-w", wav, "--", u.text});
  if (!r.started) cannot_run(r);
  std::error_code ec;
  struct Remove {
    const std::string& path;
    ~Remove() {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  } remove{wav};
  if (r.exit_status != 0) {
    const std::string message = trimmed(r.output);
    if (message.find("voice does not exist") != std::string::npos) {
      fail(what, ": espeak-ng has no voice or language '", u.voice.substr(0, u.voice.find('+')),
           "' ('espeak-ng --voices' lists them)");
    }
    fail(what, ": espeak-ng failed (exit status ", r.exit_status, ")",
         message.empty() ? "" : ": ", message);
  }
  if (!fs::exists(wav, ec) || fs::file_size(wav, ec) <= 44) {
    fail(what, ": espeak-ng wrote no audio", r.output.empty() ? "" : ": ", trimmed(r.output));
  }
  Audio audio = read_audio(wav, sample_rate);
  const bool silent =
      std::all_of(audio.samples.begin(), audio.samples.end(), [](int16_t v) { return v == 0; });
  if (silent) fail(what, ": espeak-ng produced only silence");
  return audio;
}

}  // namespace locus::host
