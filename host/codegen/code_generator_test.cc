// The code generator: names and errors, and generated code compiled for the
// host (with the flags the runtime uses, warnings as errors) and run, its
// outputs compared byte for byte with the runtime's Engine — two copies of
// a model in two namespaces of one program, and with LOCUS_TEST_DATA the
// MLPerf KWS model on TFLM's fixed inputs.
#include "host/codegen/code_generator.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/codegen/dsp_probe_testing.h"
#include "host/common/error.h"
#include "host/features/feature_block.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_file.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/engine/engine.h"
#include "runtime/pipeline/pipeline.h"
#include "tests/support/tiny_models.h"
#include "tests/support/command_testing.h"

namespace locus::host {
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

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("locus_codegen_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

LoadedCapsule tiny() { return open_capsule(copy_to_aligned(testing::tiny_classifier_capsule()), "tiny"); }

std::string engine_hex(const Capsule& capsule, const std::vector<uint8_t>& input) {
  AlignedBuffer arena(std::max<size_t>(capsule.arena_bytes(), 16));
  Engine engine;
  EXPECT_TRUE(engine.init(capsule, arena.data(), arena.size()).is_ok());
  std::copy(input.begin(), input.end(), static_cast<uint8_t*>(engine.input(0).data));
  EXPECT_TRUE(engine.invoke().is_ok());
  std::string out;
  char byte[3];
  for (size_t i = 0; i < engine.output(0).bytes; ++i) {
    std::snprintf(byte, sizeof(byte), "%02x", static_cast<const uint8_t*>(engine.output(0).data)[i]);
    out += byte;
  }
  return out;
}

// A host program that runs each generated model on each input file (named
// on its command line as NAMESPACE=FILE) and prints its output 0 in hex, and
// the model's self-test verdict.
std::string host_main(const std::vector<std::pair<std::string, std::string>>& models) {
  std::ostringstream m;
  m << "#include <stdio.h>\n#include <string.h>\n#include <string>\n";
  for (const auto& [ns, header] : models) m << "#include \"" << header << "\"\n";
  m << "template <size_t kArena, typename Invoke, typename SelfTest>\n"
       "void run(const char* file, size_t in_off, size_t in_bytes, size_t out_off, size_t out_bytes,"
       " Invoke invoke, SelfTest self_test) {\n"
       "  alignas(16) static unsigned char arena[kArena];\n"
       "  printf(\"self_test %d\\n\", self_test(arena) ? 1 : 0);\n"
       "  FILE* f = fopen(file, \"rb\");\n"
       "  if (!f || fread(arena + in_off, 1, in_bytes, f) != in_bytes) { printf(\"bad input\\n\"); return; }\n"
       "  fclose(f);\n  invoke(arena);\n"
       "  for (size_t i = 0; i < out_bytes; ++i) printf(\"%02x\", arena[out_off + i]);\n"
       "  printf(\"\\n\");\n}\n"
       "int main(int argc, char** argv) {\n"
       "  for (int i = 1; i < argc; ++i) {\n"
       "    std::string arg = argv[i];\n    size_t eq = arg.find('=');\n"
       "    std::string ns = arg.substr(0, eq), file = arg.substr(eq + 1);\n";
  for (const auto& [ns, header] : models) {
    m << "    if (ns == \"" << ns << "\") run<" << ns << "::kArenaBytes>(file.c_str(), " << ns
      << "::kInputs[0].offset, " << ns << "::kInputs[0].bytes, " << ns << "::kOutputs[0].offset, "
      << ns << "::kOutputs[0].bytes, " << ns << "::invoke, " << ns << "::self_test);\n";
  }
  m << "  }\n  return 0;\n}\n";
  return m.str();
}

// Compiles `sources` with the runtime library and runs the program.
CommandResult compile_and_run(const std::string& dir, const std::vector<std::string>& sources,
                              const std::string& args) {
  std::string command = std::string(LOCUS_CXX) + " " + LOCUS_CXX_FLAGS +
                        " -std=c++17 -O1 -fno-exceptions -fno-rtti -Wall -Wextra -Werror"
                        " -I" LOCUS_SOURCE_DIR " -I" LOCUS_GENERATED_INCLUDE
                        " -I" LOCUS_FLATBUFFERS_INCLUDE " -I" + dir;
  for (const std::string& s : sources) command += " " + s;
  command += " " LOCUS_RUNTIME_LIBRARY " -o " + dir + "/program";
  const CommandResult build = run(command);
  if (build.status != 0) return {build.status, "compile failed:\n" + build.output};
  return run(dir + "/program " + args);
}

TEST(CodeGenerator, NamespacesFromCapsuleNames) {
  EXPECT_EQ(namespace_from_name("micro-speech v2"), "micro_speech_v2");
  EXPECT_EQ(namespace_from_name("KWS"), "kws");
  EXPECT_EQ(namespace_from_name("1st"), "model_1st");
  EXPECT_EQ(namespace_from_name("std"), "std_model");
}

TEST(CodeGenerator, RejectsNamespacesThatAreNotIdentifiers) {
  const LoadedCapsule loaded = tiny();
  for (const char* bad : {"9lives", "a-b", "a::", "std", "app::int", "locus"}) {
    CodegenOptions options;
    options.name_space = bad;
    const std::string message = error_of([&] { generate_code(loaded.capsule, options); });
    EXPECT_NE(message.find(std::string("namespace \"") + bad + "\""), std::string::npos) << message;
  }
  CodegenOptions options;
  options.file_stem = "a/b";
  EXPECT_NE(error_of([&] { generate_code(loaded.capsule, options); }).find("file name \"a/b\""),
            std::string::npos);
}

TEST(CodeGenerator, WritesNamespacedFilesAndKeepsUnchangedOnes) {
  const LoadedCapsule loaded = tiny();
  CodegenOptions options;
  options.name_space = "app::models::tiny";
  const GeneratedCode code = generate_code(loaded.capsule, options);
  EXPECT_EQ(code.header_name, "tiny.h");
  EXPECT_NE(code.header.find("namespace app::models::tiny {"), std::string::npos);
  EXPECT_NE(code.header.find("constexpr size_t kArenaBytes = " +
                             std::to_string(loaded.capsule.arena_bytes())),
            std::string::npos);
  EXPECT_NE(code.source.find("::locus::kernels::fully_connected_s8("), std::string::npos);
  EXPECT_NE(code.source.find("::locus::kernels::softmax_s8("), std::string::npos);
  const std::string dir = temp_dir("write");
  const auto [header, source] = write_generated_code(code, dir);
  const auto stamp = fs::last_write_time(source);
  fs::last_write_time(source, stamp - std::chrono::hours(1));
  write_generated_code(code, dir);
  EXPECT_EQ(fs::last_write_time(source), stamp - std::chrono::hours(1));
  fs::remove_all(dir);
}

TEST(CodeGenerator, TwoCopiesInOneProgramGiveTheRuntimesBytes) {
  const LoadedCapsule loaded = tiny();
  const std::string dir = temp_dir("tiny");
  CodegenOptions a, b;
  a.name_space = "tiny_a";
  b.name_space = "models::tiny_b";
  write_generated_code(generate_code(loaded.capsule, a), dir);
  write_generated_code(generate_code(loaded.capsule, b), dir);
  std::ofstream(dir + "/main.cc") << host_main({{"tiny_a", "tiny_a.h"}, {"models::tiny_b", "tiny_b.h"}});
  std::string args, expected;
  for (uint32_t k = 0; k < 4; ++k) {
    const std::vector<uint8_t> input = self_test_pattern(4, 77 + k);
    const std::string file = dir + "/in" + std::to_string(k);
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(input.data()), 4);
    args += " tiny_a=" + file + " models::tiny_b=" + file;
    const std::string hex = engine_hex(loaded.capsule, input);
    expected += "self_test 1\n" + hex + "\nself_test 1\n" + hex + "\n";
  }
  const CommandResult r = compile_and_run(
      dir, {dir + "/main.cc", dir + "/tiny_a.cc", dir + "/tiny_b.cc"}, args);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, expected);
  fs::remove_all(dir);
}

// Every MLPerf Tiny reference model (convolutions, depthwise, pooling, ADD,
// fully connected, softmax...) on TFLM's five fixed inputs.
class MlperfModel : public ::testing::TestWithParam<const char*> {};

TEST_P(MlperfModel, GeneratedCodeGivesTflmsBytes) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; the models are reference data";
  const std::string model = GetParam();
  CapsuleSpec spec;
  spec.identity.name = model;
  spec.graph = import_tflite(read_file(data + "/mlperf_tiny_models/" + model + ".tflite").span());
  const LoadedCapsule loaded =
      open_capsule(copy_to_aligned(build_capsule(std::move(spec)).bytes), model);
  const std::string dir = temp_dir(model);
  const GeneratedCode code = generate_code(loaded.capsule, {});  // namespace from the name
  write_generated_code(code, dir);
  std::ofstream(dir + "/main.cc") << host_main({{code.name_space, code.header_name}});
  std::string args, expected;
  for (int k = 0; k < 5; ++k) {
    const std::string golden = data + "/golden/mlperf_tiny/" + model + "/";
    args += " " + code.name_space + "=" + golden + "input_" + std::to_string(k) + ".bin";
    const AlignedBuffer out = read_file(golden + "output_" + std::to_string(k) + ".bin");
    std::string hex;
    char byte[3];
    for (size_t i = 0; i < out.size(); ++i) {
      std::snprintf(byte, sizeof(byte), "%02x", out.data()[i]);
      hex += byte;
    }
    expected += "self_test 1\n" + hex + "\n";
  }
  const CommandResult r = compile_and_run(dir, {dir + "/main.cc", dir + "/" + code.source_name}, args);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, expected);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Golden, MlperfModel,
                         ::testing::Values("kws_ref_model", "vww_96_int8",
                                           "pretrainedResnet_quant", "ad01_int8"));

// A pipeline capsule around TFLM's micro_speech model (audio front end) and
// one around the MLPerf KWS model (MFCC block, int8 features).
std::vector<std::pair<std::string, std::vector<uint8_t>>> dsp_capsules(const std::string& data) {
  PipelineBuild shape;
  CapsuleSpec micro_speech = pipeline_spec(
      load_pipeline(std::string(LOCUS_SOURCE_DIR) + "/examples/micro_speech/locus.yml"), {}, &shape);
  CapsuleSpec kws;
  kws.identity.name = "kws_mfcc";
  kws.identity.version = "1.0.0";
  schema::InputSpecT input;
  input.sensor = schema::SensorKind::Audio;
  input.sample_rate_hz = 16000;
  input.window_ms = 1000;
  input.stride_ms = 1000;
  kws.input = input;
  kws.dsp.push_back(load_feature_block("mlperf_kws")->to_capsule());
  kws.labels = {"down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes",
                "_silence_", "_unknown_"};
  schema::FeatureWindowT window;
  window.frames = 49;
  window.features = 10;
  window.stride_frames = 49;
  kws.feature_window = window;
  kws.graph = import_tflite(read_file(data + "/mlperf_tiny_models/kws_ref_model.tflite").span());
  return {{"micro_speech", build_capsule(std::move(micro_speech)).bytes},
          {"kws_mfcc", build_capsule(std::move(kws)).bytes}};
}

TEST(CodeGenerator, DspConfigurationIsBakedInExactly) {
  const std::string data = testing::test_data_dir();
  if (data.empty()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set; the models are reference data";
  for (const auto& [name, bytes] : dsp_capsules(data)) {
    const LoadedCapsule loaded = open_capsule(copy_to_aligned(bytes), name);
    Pipeline::Plan plan;
    ASSERT_TRUE(Pipeline::make_plan(loaded.capsule, &plan).is_ok()) << name;
    const std::string dir = temp_dir(name);
    CodegenOptions options;
    options.name_space = name;
    const GeneratedCode code = generate_code(loaded.capsule, options);
    EXPECT_NE(code.header.find("kWindowFrames = " + std::to_string(plan.window_frames) + ";"),
              std::string::npos);
    EXPECT_NE(code.header.find("kStrideFrames = " + std::to_string(plan.stride_frames) + ";"),
              std::string::npos);
    write_generated_code(code, dir);
    std::ofstream(dir + "/main.cc")
        << "#include <stdio.h>\n#include \"" << name << ".h\"\n"
        << "#include \"host/codegen/dsp_probe_testing.h\"\n"
        << "int main() {\n  locus::DspBlockConfig c;\n  if (!" << name
        << "::dsp_config(&c)) return 3;\n"
        << "  printf(\"%s\", locus::codegen_testing::probe_dsp(c).c_str());\n  return 0;\n}\n";
    const CommandResult r = compile_and_run(dir, {dir + "/main.cc", dir + "/" + name + ".cc"}, "");
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string expected = codegen_testing::probe_dsp(plan.dsp);
    ASSERT_EQ(expected.rfind("error", 0), std::string::npos) << expected;
    EXPECT_EQ(r.output, expected) << name;

    options.model_only = true;
    const GeneratedCode model_only = generate_code(loaded.capsule, options);
    EXPECT_NE(model_only.header.find("kWindowFrames = 0;"), std::string::npos);
    EXPECT_NE(model_only.source.find("bool dsp_config(::locus::DspBlockConfig*) { return false; }"),
              std::string::npos);
    fs::remove_all(dir);
  }
}

TEST(CodegenCommand, BadCapsuleAndBadNamespaceAreClearErrors) {
  const std::string dir = temp_dir("cli");
  const std::string bad = dir + "/broken.capsule";
  std::ofstream(bad) << "this is not a capsule";
  CommandResult r = run(std::string(LOCUS_CLI_PATH) + " codegen " + bad + " -o " + dir + "/out");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("broken.capsule"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir + "/out"));

  const std::string good = dir + "/tiny.capsule";
  const std::vector<uint8_t> bytes = testing::tiny_classifier_capsule();
  std::ofstream(good, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  r = run(std::string(LOCUS_CLI_PATH) + " codegen " + good + " -o " + dir + "/out -n 9lives");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("\"9lives\" is not a usable C++ identifier"), std::string::npos)
      << r.output;
  r = run(std::string(LOCUS_CLI_PATH) + " codegen " + good + " -o " + dir + "/out -n tiny");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir + "/out/tiny.h") && fs::exists(dir + "/out/tiny.cc"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace locus::host
