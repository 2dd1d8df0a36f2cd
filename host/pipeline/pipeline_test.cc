#include <gtest/gtest.h>

#include <cstdlib>

#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/pipeline/pipeline_builder.h"
#include "host/pipeline/pipeline_file.h"

namespace locus::host {
namespace {

const char* kValid = R"(name: kws
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000, stride_ms: 200 }
features:
  - audio_frontend: { preset: micro_speech, output: int8 }
model:
  import: ${LOCUS_TEST_DATA}/tflm_micro_speech/micro_speech_quantized.tflite
  labels: [silence, unknown, yes, no]
postprocess: { average_ms: 1000, threshold: 0.7, suppress_ms: 1500, background: [silence] }
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The message of parsing (and, with build, building) `text`.
std::string error_of(const std::string& text, bool build = false) {
  try {
    const PipelineFile p = parse_pipeline(text, "locus.yml");
    if (build) build_pipeline(p, PipelineBuildOptions());
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

bool have_data() { return std::getenv("LOCUS_TEST_DATA") != nullptr; }

TEST(PipelineFile, ParsesTheValidFile) {
  if (!have_data()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const PipelineFile p = parse_pipeline(kValid, "dir/locus.yml");
  EXPECT_EQ(p.name, "kws");
  EXPECT_EQ(p.input.stride_ms, 200u);
  EXPECT_EQ(p.features.size(), 1u);
  EXPECT_EQ(p.model.labels.size(), 4u);
  EXPECT_EQ(p.postprocess.background, std::vector<std::string>{"silence"});
  EXPECT_NE(p.model.import_path.find("micro_speech_quantized.tflite"), std::string::npos);
}

TEST(PipelineFile, OneErrorPerKindOfMistake) {
  if (!have_data()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  EXPECT_EQ(error_of(replace(kValid, "name: kws", "name: kws\nnmae: x")),
            "locus.yml:2:1: pipeline: unknown key 'nmae' (expected one of: features, input, "
            "location, model, name, outputs, postprocess, train, version)");
  EXPECT_EQ(error_of(replace(kValid, "version: 1.0.0", "version: one")),
            "locus.yml:2:10: version: expected a semantic version such as 1.0.0, got 'one'");
  EXPECT_EQ(error_of(replace(kValid, "name: kws\n", "")),
            "locus.yml:1:1: pipeline: 'name' is required");
  EXPECT_EQ(error_of(replace(kValid, "sensor: audio", "sensor: radar")),
            "locus.yml:3:18: input.sensor: expected one of audio, accelerometer, image, raw, got 'radar'");
  EXPECT_EQ(error_of(replace(kValid, "sample_rate: 16000", "sample_rate: fast")),
            "locus.yml:3:38: input.sample_rate: expected an integer, got 'fast'");
  EXPECT_EQ(error_of(replace(kValid, "threshold: 0.7", "threshold: 7")),
            "locus.yml:9:45: postprocess.threshold: expected a score between 0 and 1");
  EXPECT_NE(error_of(replace(kValid, "  - audio_frontend", "  - audio_frontnd"), true).find(
                "locus.yml:5:5: unknown feature block 'audio_frontnd'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kValid, "preset: micro_speech", "preset: micro_speech, chanels: 4"), true)
                .find("audio_frontend: unknown key 'chanels'"),
            std::string::npos);
  EXPECT_EQ(error_of(replace(kValid, "labels: [silence", "arch: ds_cnn\n  labels: [silence")),
            "locus.yml:7:3: model: give exactly one of 'import: MODEL.tflite' or 'arch: NAME'");
  EXPECT_EQ(error_of(replace(kValid, "${LOCUS_TEST_DATA}", "${LOCUS_NO_SUCH_VARIABLE}")),
            "locus.yml:7:11: environment variable LOCUS_NO_SUCH_VARIABLE is not set");
  EXPECT_EQ(error_of("- just\n- a list\n"),
            "locus.yml: a pipeline file is a map (name, version, input, ...)");
  EXPECT_NE(error_of("name: [unclosed\n").find("locus.yml:"), std::string::npos);
}

TEST(PipelineBuild, ShapesMustChain) {
  if (!have_data()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  EXPECT_EQ(error_of(replace(kValid, "output: int8", "output: int8, channels: 32"), true),
            "locus.yml:5:5: features[0] (audio_frontend): gives 49 frames x 32 int8 = 1568 values "
            "per 1000 ms window, but the model input 'Reshape_1' takes [1,1960] int8 = 1960 values");
  EXPECT_EQ(error_of(replace(kValid, "output: int8", "output: uint16"), true),
            "locus.yml:5:5: features[0] (audio_frontend): gives 49 frames x 40 uint16 = 1960 values "
            "per 1000 ms window, but the model input 'Reshape_1' takes [1,1960] int8 = 1960 values");
  EXPECT_EQ(error_of(replace(kValid, "window_ms: 1000", "window_ms: 900"), true).substr(0, 57),
            "locus.yml:5:5: features[0] (audio_frontend): gives 44 fra");
  EXPECT_EQ(error_of(replace(kValid, "stride_ms: 200", "stride_ms: 250"), true),
            "locus.yml:3:8: input.stride_ms 250 is not a whole number of audio_frontend steps (20 ms)");
  EXPECT_EQ(error_of(replace(kValid, "sample_rate: 16000", "sample_rate: 8000"), true),
            "locus.yml:5:5: features[0] (audio_frontend): runs at 16000 Hz but input.sample_rate "
            "is 8000 Hz");
  EXPECT_EQ(error_of(replace(kValid, "labels: [silence, unknown, yes, no]", "labels: [yes, no]"), true),
            "locus.yml:8:11: model.labels has 2 labels but the model output 'labels_softmax' [1,4] "
            "has 4 scores");
  EXPECT_EQ(error_of(replace(kValid, "background: [silence]", "background: [quiet]"), true),
            "locus.yml:9:81: postprocess.background: 'quiet' is not one of model.labels");
  EXPECT_EQ(error_of(replace(kValid, "sensor: audio", "sensor: image"), true),
            "locus.yml:5:5: features[0] (audio_frontend): needs input.sensor audio, the pipeline "
            "says image");
  EXPECT_NE(error_of(replace(kValid, "micro_speech_quantized.tflite", "missing.tflite"), true)
                .find("missing.tflite: cannot open"),
            std::string::npos);
}

TEST(PipelineBuild, CapsuleCarriesTheWholePipeline) {
  if (!have_data()) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  const PipelineBuild build = build_pipeline(parse_pipeline(kValid, "locus.yml"), {});
  EXPECT_EQ(build.frames, 49u);
  EXPECT_EQ(build.features, 40u);
  EXPECT_EQ(build.stride_frames, 10u);
  LoadedCapsule loaded = open_capsule(copy_to_aligned(build.bytes), "kws");
  const schema::CapsuleBody* body = loaded.capsule.body();
  EXPECT_EQ(body->identity()->name()->str(), "kws");
  EXPECT_EQ(body->input()->sensor(), schema::SensorKind::Audio);
  EXPECT_EQ(body->input()->stride_ms(), 200u);
  ASSERT_EQ(body->dsp()->size(), 1u);
  const schema::DspBlock* dsp = body->dsp()->Get(0);
  EXPECT_EQ(dsp->kind()->str(), "audio_frontend");
  EXPECT_EQ(dsp->implementation_version(), 1u);
  const auto* fe = dsp->params_as_AudioFrontendParams();
  ASSERT_NE(fe, nullptr);
  EXPECT_EQ(fe->channels(), 40);
  EXPECT_TRUE(fe->enable_pcan());
  EXPECT_TRUE(fe->int8_output());
  EXPECT_EQ(body->feature_window()->frames(), 49u);
  EXPECT_EQ(body->feature_window()->stride_frames(), 10u);
  EXPECT_FLOAT_EQ(body->postprocess()->threshold(), 0.7f);
  EXPECT_EQ(body->postprocess()->background_labels()->Get(0), 0);
  EXPECT_EQ(body->labels()->Get(2)->str(), "yes");
  EXPECT_NE(body->self_test(), nullptr);
}

TEST(PipelineBuild, FeatureStatisticsFromData) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) GTEST_SKIP() << "LOCUS_TEST_DATA is not set";
  PipelineBuildOptions options;
  options.data_files = {std::string(data) + "/tflm_micro_speech/yes_1000ms.wav",
                        std::string(data) + "/tflm_micro_speech/no_1000ms.wav"};
  const PipelineBuild build = build_pipeline(parse_pipeline(kValid, "locus.yml"), options);
  LoadedCapsule loaded = open_capsule(copy_to_aligned(build.bytes), "kws");
  const auto* stats = loaded.capsule.body()->feature_stats();
  ASSERT_NE(stats, nullptr);
  ASSERT_EQ(stats->mean()->size(), 40u);
  for (uint32_t i = 0; i < 40; ++i) {
    EXPECT_GE(stats->mean()->Get(i), -128.0f);
    EXPECT_LE(stats->mean()->Get(i), 127.0f);
    EXPECT_GE(stats->variance()->Get(i), 0.0f);
  }
}

TEST(PipelineTemplates, EveryTemplateParses) {
  setenv("LOCUS_TEST_DATA", std::getenv("LOCUS_TEST_DATA") ? std::getenv("LOCUS_TEST_DATA") : "/x", 0);
  for (const auto& name : pipeline_templates()) {
    EXPECT_NO_THROW(parse_pipeline(pipeline_template(name), name + ".yml")) << name;
  }
  EXPECT_THROW(pipeline_template("nope"), Error);
}

}  // namespace
}  // namespace locus::host
