// The Cortex-M port in QEMU (mps2-an386, Cortex-M4F), both deployment ways,
// checked byte for byte against the host runtime:
//   - a tiny hand-made model (always; no data needed), generated twice into
//     two namespaces of one firmware;
//   - with LOCUS_TEST_DATA: the MLPerf Tiny KWS model on TFLM's five fixed
//     inputs, and the micro_speech pipeline (front end + model, from
//     examples/micro_speech/locus.yml) on TFLM's four clips and four Speech
//     Commands test clips.
// The firmware is cross-built by ports/cortex-m/build-firmware in
// BUILD/port-m4; the test skips when qemu-system-arm or arm-none-eabi-g++ is
// missing. Everything runs once, in SetUpTestSuite; the tests check parts.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "host/audio/audio_file.h"
#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/codegen/code_generator.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_file.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/engine/engine.h"
#include "runtime/pipeline/pipeline.h"
#include "tests/support/tiny_models.h"
#include "tests/support/command_testing.h"

namespace locus {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  const testing::CommandResult c = testing::run_command(command + " 2>&1");
  return {c.exit_code, c.out};
}

bool have_tool(const char* name) {
  return run(std::string("command -v ") + name + " >/dev/null").status == 0;
}

std::string hex(const std::vector<uint8_t>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  // Unchanged files keep their time stamps: no needless firmware rebuilds.
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::vector<uint8_t> old((std::istreambuf_iterator<char>(in)), {});
    if (old == bytes) return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

// One model of the test: its capsule, and the inputs with the host runtime's
// outputs (all inferences' output 0, concatenated).
struct Model {
  std::string name;
  std::string capsule_path;
  bool streaming = false;  // PCM through the DSP block
  size_t memory_bytes = 0;
  std::vector<std::pair<std::string, std::string>> expected;  // input file, output hex
};

struct Result {
  std::string output;
  uint64_t inferences = 0, model_instructions = 0, dsp_instructions = 0;
};

// "result MODEL FILE inferences=N output=HEX model_instructions=N dsp_instructions=N"
std::map<std::string, Result> parse_results(const std::string& log) {
  std::map<std::string, Result> out;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, model, file, field;
    words >> tag >> model >> file;
    if (tag != "result") continue;
    Result r;
    while (words >> field) {
      const size_t eq = field.find('=');
      const std::string key = field.substr(0, eq), value = field.substr(eq + 1);
      if (key == "output") r.output = value;
      else if (key == "inferences") r.inferences = std::stoull(value);
      else if (key == "model_instructions") r.model_instructions = std::stoull(value);
      else if (key == "dsp_instructions") r.dsp_instructions = std::stoull(value);
    }
    out[model + " " + file] = r;
  }
  return out;
}

class PortTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  // A skip or failure here stops the test before its body.
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }
  static const Model* find(const std::string& name) {
    for (const Model& m : models_) {
      if (m.name == name) return &m;
    }
    return nullptr;
  }
  // Every input of `model` gave the host's bytes in `firmware`.
  static void expect_matches(const std::string& firmware, const Model& model) {
    const auto& results = results_[firmware];
    for (const auto& [file, expected] : model.expected) {
      const auto it = results.find(model.name + " " + file);
      ASSERT_NE(it, results.end()) << firmware << ": no result for " << model.name << " " << file
                                   << "\n" << logs_[firmware];
      EXPECT_EQ(it->second.output, expected) << firmware << ": " << model.name << " " << file;
      EXPECT_GT(it->second.model_instructions, 0u);
    }
  }

  static std::string skip_reason_, setup_error_, work_;
  static std::vector<Model> models_;
  static std::map<std::string, std::map<std::string, Result>> results_;
  static std::map<std::string, std::string> logs_;
};

std::string PortTest::skip_reason_, PortTest::setup_error_, PortTest::work_;
std::vector<Model> PortTest::models_;
std::map<std::string, std::map<std::string, Result>> PortTest::results_;
std::map<std::string, std::string> PortTest::logs_;

std::string engine_output(const std::vector<uint8_t>& capsule, const std::vector<uint8_t>& input) {
  host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(capsule), "expected");
  host::AlignedBuffer arena(std::max<size_t>(loaded.capsule.arena_bytes(), 16));
  Engine engine;
  EXPECT_TRUE(engine.init(loaded.capsule, arena.data(), arena.size()).is_ok());
  EXPECT_EQ(engine.input(0).bytes, input.size());
  std::copy(input.begin(), input.end(), static_cast<uint8_t*>(engine.input(0).data));
  EXPECT_TRUE(engine.invoke().is_ok());
  const TensorView out = engine.output(0);
  const auto* p = static_cast<const uint8_t*>(out.data);
  return hex(std::vector<uint8_t>(p, p + out.bytes));
}

// The firmware's capsule_pipeline.cc, on the host: every inference's output 0.
std::string pipeline_output(const std::vector<uint8_t>& capsule, const std::vector<int16_t>& pcm) {
  host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(capsule), "expected");
  size_t bytes = 0;
  EXPECT_TRUE(Pipeline::memory_bytes(loaded.capsule, &bytes).is_ok());
  host::AlignedBuffer memory(bytes);
  Pipeline pipeline;
  const Status s = pipeline.init(loaded.capsule, memory.data(), memory.size());
  EXPECT_TRUE(s.is_ok()) << s.message();
  std::vector<uint8_t> all;
  for (size_t done = 0; done < pcm.size();) {
    size_t used = 0;
    bool has = false;
    PipelineResult r;
    EXPECT_TRUE(pipeline.push(pcm.data() + done, pcm.size() - done, &used, &r, &has).is_ok());
    done += used;
    if (!has) continue;
    const TensorView out = pipeline.engine().output(0);
    const auto* p = static_cast<const uint8_t*>(out.data);
    all.insert(all.end(), p, p + out.bytes);
  }
  return hex(all);
}

Model tiny_model(const std::string& work) {
  Model m{"tiny", work + "/tiny.capsule"};
  const std::vector<uint8_t> capsule = testing::tiny_classifier_capsule();
  write_bytes(m.capsule_path, capsule);
  m.memory_bytes = host::open_capsule(host::copy_to_aligned(capsule), "tiny").capsule.arena_bytes();
  for (uint32_t k = 0; k < 3; ++k) {
    const std::vector<uint8_t> input = host::self_test_pattern(4, 0x1234u + k);
    const std::string path = work + "/tiny_input_" + std::to_string(k) + ".bin";
    write_bytes(path, input);
    m.expected.emplace_back(path, engine_output(capsule, input));
  }
  return m;
}

Model kws_model(const std::string& work, const std::string& data) {
  Model m{"kws", work + "/kws.capsule"};
  host::CapsuleSpec spec;
  spec.identity.name = "kws_ref_model";
  spec.graph = host::import_tflite(
      host::read_file(data + "/mlperf_tiny_models/kws_ref_model.tflite").span());
  const std::vector<uint8_t> capsule = host::build_capsule(std::move(spec)).bytes;
  write_bytes(m.capsule_path, capsule);
  m.memory_bytes = host::open_capsule(host::copy_to_aligned(capsule), "kws").capsule.arena_bytes();
  for (int k = 0; k < 5; ++k) {
    const std::string dir = data + "/golden/mlperf_tiny/kws_ref_model/";
    const std::string input = dir + "input_" + std::to_string(k) + ".bin";
    const std::string expected = engine_output(capsule, read_bytes(input));
    // The host runtime itself matches TFLM here (tests/golden_models_test.cc).
    EXPECT_EQ(expected, hex(read_bytes(dir + "output_" + std::to_string(k) + ".bin")));
    m.expected.emplace_back(input, expected);
  }
  return m;
}

Model micro_speech_model(const std::string& work, const std::string& data) {
  Model m{"micro_speech", work + "/micro_speech.capsule", true};
  host::PipelineFile file = host::load_pipeline(std::string(LOCUS_SOURCE_DIR) +
                                                "/examples/micro_speech/locus.yml");
  host::PipelineBuild shape;
  host::CapsuleSpec spec = host::pipeline_spec(file, {}, &shape);
  spec.identity.created_unix = 0;  // same bytes every run: no needless rebuilds
  const std::vector<uint8_t> capsule = host::build_capsule(std::move(spec)).bytes;
  write_bytes(m.capsule_path, capsule);
  host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(capsule), "micro_speech");
  EXPECT_TRUE(Pipeline::memory_bytes(loaded.capsule, &m.memory_bytes).is_ok());
  std::vector<std::string> clips;
  for (const char* c : {"yes_1000ms", "no_1000ms", "silence_1000ms", "noise_1000ms"}) {
    clips.push_back(data + "/tflm_micro_speech/" + c + ".wav");
  }
  // The first clip (by name) of four Speech Commands test folders.
  for (const char* word : {"yes", "no", "up", "_silence_"}) {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(data + "/speech_commands_test_v0.02/" + word)) {
      if (e.path().extension() == ".wav") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    if (!files.empty()) clips.push_back(files.front());
  }
  std::vector<int16_t> stream;  // the first two clips back to back: 6 inferences
  for (const std::string& clip : clips) {
    const host::Audio audio = host::read_audio(clip, 16000);
    if (stream.size() < 32000) {
      stream.insert(stream.end(), audio.samples.begin(),
                    audio.samples.begin() + std::min<size_t>(16000, audio.samples.size()));
    }
    const std::string pcm_path =
        work + "/ms_" + fs::path(clip).parent_path().filename().string() + "_" +
        fs::path(clip).stem().string() + ".pcm";
    std::vector<uint8_t> bytes(audio.samples.size() * 2);
    std::memcpy(bytes.data(), audio.samples.data(), bytes.size());
    write_bytes(pcm_path, bytes);
    m.expected.emplace_back(pcm_path, pipeline_output(capsule, audio.samples));
  }
  const std::string stream_path = work + "/ms_stream_2s.pcm";  // fits the 64 KiB input buffer
  write_bytes(stream_path, std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(stream.data()),
                                                reinterpret_cast<const uint8_t*>(stream.data()) +
                                                    stream.size() * 2));
  m.expected.emplace_back(stream_path, pipeline_output(capsule, stream));
  return m;
}

std::string generate(const Model& m, const std::string& dir, const std::string& ns) {
  host::LoadedCapsule loaded = host::load_capsule(m.capsule_path);
  host::CodegenOptions options;
  options.name_space = ns;
  host::write_generated_code(host::generate_code(loaded.capsule, options), dir);
  return m.name + "=" + dir + "=" + ns + "=" + (m.streaming ? "stream" : "model");
}

std::string capsule_spec(const Model& m) {
  return m.name + "=" + m.capsule_path + "=" + std::to_string(std::max<size_t>(m.memory_bytes, 16)) +
         "=" + (m.streaming ? "pipeline" : "engine");
}

void PortTest::SetUpTestSuite() {
  for (const char* tool : {"qemu-system-arm", "arm-none-eabi-g++", "arm-none-eabi-size"}) {
    if (!have_tool(tool)) {
      skip_reason_ = std::string(tool) + " is not installed (scripts/setup installs it)";
      return;
    }
  }
  try {
    work_ = std::string(LOCUS_PORT_BUILD_DIR) + "/work";
    fs::create_directories(work_ + "/gen");
    const std::string data = testing::test_data_dir();
    models_.push_back(tiny_model(work_));
    if (!data.empty()) {
      models_.push_back(kws_model(work_, data));
      models_.push_back(micro_speech_model(work_, data));
    } else {
      std::printf("port_test: LOCUS_TEST_DATA is not set; only the tiny model runs\n");
    }
    // Firmwares: every model both ways (the generated one holds tiny twice,
    // in two namespaces), and one firmware per model and way for sizes.
    std::ostringstream firmwares, all_capsules, all_generated;
    std::map<std::string, std::string> generated;
    generated["tiny_a"] = generate(models_[0], work_ + "/gen", "tiny_a");
    generated["tiny_b"] = generate(models_[0], work_ + "/gen", "models::tiny_b");
    generated["tiny_b"].replace(0, 4, "tiny_b");
    generated["tiny_a"].replace(0, 4, "tiny_a");
    for (const Model& m : models_) {
      all_capsules << " " << capsule_spec(m);
      if (m.name != "tiny") {
        generated[m.name] = generate(m, work_ + "/gen", m.name);
        firmwares << "locus_port_firmware(NAME " << m.name << "_capsule CAPSULES "
                  << capsule_spec(m) << ")\n"
                  << "locus_port_firmware(NAME " << m.name << "_codegen GENERATED "
                  << generated[m.name] << ")\n";
      }
    }
    for (const auto& [name, spec] : generated) all_generated << " " << spec;
    firmwares << "locus_port_firmware(NAME port_capsule CAPSULES" << all_capsules.str() << ")\n"
              << "locus_port_firmware(NAME port_codegen GENERATED" << all_generated.str() << ")\n";
    const std::string firmwares_file = work_ + "/firmwares.cmake";
    const std::string text = firmwares.str();
    write_bytes(firmwares_file, std::vector<uint8_t>(text.begin(), text.end()));

    const CommandResult build = run("nice -n 10 " + std::string(LOCUS_SOURCE_DIR) +
                                    "/ports/cortex-m/build-firmware " + LOCUS_PORT_BUILD_DIR +
                                    " " + firmwares_file);
    if (build.status != 0) {
      setup_error_ = "firmware build failed:\n" + build.output;
      return;
    }
    const std::string elf_dir = std::string(LOCUS_PORT_BUILD_DIR) + "/ports/cortex-m/";
    std::vector<std::string> names = {"port_capsule", "port_codegen"};
    for (const Model& m : models_) {
      if (m.name != "tiny") {
        names.push_back(m.name + "_capsule");
        names.push_back(m.name + "_codegen");
      }
    }
    for (const std::string& fw : names) {
      std::string args = "enable=on,target=native,arg=" + fw;
      if (fw == "port_codegen") args += ",arg=calibrate";
      for (const Model& m : models_) {
        const bool in_fw = fw.rfind("port_", 0) == 0 || fw.rfind(m.name + "_", 0) == 0;
        if (!in_fw) continue;
        std::vector<std::string> names_in_fw = {m.name};
        if (m.name == "tiny" && fw == "port_codegen") names_in_fw = {"tiny_a", "tiny_b"};
        for (const std::string& n : names_in_fw) {
          for (const auto& [file, expected] : m.expected) args += ",arg=" + n + "=" + file;
        }
      }
      const CommandResult r = run("timeout 120 qemu-system-arm -M mps2-an386 -nographic "
                                  "-monitor none -serial none -icount shift=0 -semihosting-config " +
                                  args + " -kernel " + elf_dir + fw + ".elf");
      logs_[fw] = r.output;
      results_[fw] = parse_results(r.output);
      if (r.status != 0) setup_error_ += fw + " exited with " + std::to_string(r.status) + ":\n" +
                                         r.output;
      std::printf("port_test: %s\n%s", fw.c_str(), r.output.c_str());
    }
    const CommandResult sizes = run("arm-none-eabi-size " + elf_dir + "*.elf");
    logs_["sizes"] = sizes.output;
    std::printf("port_test: arm-none-eabi-size\n%s", sizes.output.c_str());
  } catch (const std::exception& e) {
    setup_error_ = e.what();
  }
}

TEST_F(PortTest, InstructionCounterCountsAKnownLoopExactly) {
  const std::string& log = logs_["port_codegen"];
  unsigned long long counted = 0, expected = 0;
  const size_t at = log.find("calibrate ");
  ASSERT_NE(at, std::string::npos) << log;
  ASSERT_EQ(std::sscanf(log.c_str() + at, "calibrate instructions=%llu expected=%llu", &counted,
                        &expected), 2);
  // One SysTick tick is 40 instructions under -icount shift=0.
  EXPECT_LE(counted > expected ? counted - expected : expected - counted, 80u);
}

TEST_F(PortTest, StackStaysInsideItsReservation) {
  for (const auto& [fw, log] : logs_) {
    const size_t at = log.find("stack_bytes=");
    if (fw == "sizes") continue;
    ASSERT_NE(at, std::string::npos) << fw << "\n" << log;
    // The linker script reserves 16 KiB; a full reservation means it overflowed.
    EXPECT_LT(std::stoul(log.substr(at + 12)), 16384u - 512u) << fw;
  }
}

TEST_F(PortTest, FirmwareLinksNoHeapExceptionsOrPrintf) {
  const CommandResult nm = run("arm-none-eabi-nm " + std::string(LOCUS_PORT_BUILD_DIR) +
                               "/ports/cortex-m/*.elf");
  ASSERT_EQ(nm.status, 0) << nm.output;
  std::istringstream lines(nm.output);
  std::string line;
  const std::vector<std::string> forbidden = {
      "malloc", "_malloc_r", "free", "_free_r", "calloc", "realloc", "printf", "sprintf",
      "snprintf", "vsnprintf", "__cxa_throw", "__cxa_allocate_exception", "_Znwj", "_Znaj",
      "abort"};
  while (std::getline(lines, line)) {
    const std::string symbol = line.substr(line.find_last_of(' ') + 1);
    EXPECT_EQ(std::count(forbidden.begin(), forbidden.end(), symbol), 0) << line;
  }
}

TEST_F(PortTest, TinyModelGivesTheHostBytesBothWaysAndTwiceInOneFirmware) {
  Model tiny = *find("tiny");
  expect_matches("port_capsule", tiny);
  for (const char* name : {"tiny_a", "tiny_b"}) {
    tiny.name = name;
    expect_matches("port_codegen", tiny);
  }
}

TEST_F(PortTest, KwsGivesTheHostAndTflmBytesBothWays) {
  const Model* kws = find("kws");
  if (kws == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; the KWS model is reference data";
  for (const char* fw : {"port_capsule", "port_codegen", "kws_capsule", "kws_codegen"}) {
    expect_matches(fw, *kws);
  }
}

TEST_F(PortTest, MicroSpeechPipelineGivesTheHostBytesBothWays) {
  const Model* ms = find("micro_speech");
  if (ms == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; micro_speech is reference data";
  for (const char* fw : {"port_capsule", "port_codegen", "micro_speech_capsule",
                         "micro_speech_codegen"}) {
    expect_matches(fw, *ms);
    for (const auto& [file, expected] : ms->expected) {
      const Result& r = results_[fw][ms->name + " " + file];
      // 4 scores per inference: one for a 1 s clip (1 s window), 6 for the
      // 2 s stream (99 frames, window 49, stride 10).
      EXPECT_EQ(r.inferences, expected.size() / 8) << file;
      EXPECT_EQ(r.inferences, file.find("stream") != std::string::npos ? 6u : 1u) << file;
      EXPECT_GT(r.dsp_instructions, 0u) << file;
    }
  }
}

TEST_F(PortTest, GeneratedFirmwareNeedsLessFlashThanTheCapsuleWay) {
  if (find("kws") == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  // "text data bss dec hex filename" lines from arm-none-eabi-size.
  std::map<std::string, unsigned long> flash;
  std::istringstream lines(logs_["sizes"]);
  std::string line;
  while (std::getline(lines, line)) {
    unsigned long text = 0, data = 0;
    char file[1024];
    if (std::sscanf(line.c_str(), "%lu %lu %*lu %*lu %*x %1023s", &text, &data, file) == 3) {
      flash[fs::path(file).stem().string()] = text + data;
    }
  }
  for (const char* model : {"kws", "micro_speech"}) {
    const std::string m = model;
    ASSERT_TRUE(flash.count(m + "_codegen") && flash.count(m + "_capsule")) << logs_["sizes"];
    EXPECT_LT(flash[m + "_codegen"], flash[m + "_capsule"]) << m;
  }
}

}  // namespace
}  // namespace locus
