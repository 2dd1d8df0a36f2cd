// MLPerf Tiny keyword spotting from raw audio: Speech Commands test clips ->
// Locus MFCC block (MLPerf config) -> int8 -> kws_ref_model capsule -> argmax.
//
//   locus_kws_accuracy DATASET_DIR MODEL [--json] [--per-class N]
//                      [--no-peak-normalize] [--mlperf-cast] [--fixed]
//
// DATASET_DIR holds one folder per label (speech_commands_test_v0.02). The
// preprocessing follows mlcommons/tiny benchmark/training/keyword_spotting
// (get_dataset.py): samples as float divided by the clip's maximum sample
// (tf.reduce_max, for the "mfcc" feature type), padded with zeros to 16000,
// then tf.signal MFCCs; eval_quantized_model.py feeds the int8 model
// x / scale + zero_point. --no-peak-normalize uses int16 / 32768 instead;
// --mlperf-cast truncates toward zero like that script's numpy cast (default:
// round half away from zero, as TFLite's Quantize); --fixed uses the
// fixed-point MFCC path, whose int16 input is peak-normalised in integers.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "host/audio/audio_file.h"
#include "host/audio/clip.h"
#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/dsp/spectral/mfcc.h"
#include "runtime/engine/engine.h"

namespace {

// Model output order: mlcommons/tiny get_dataset.py word_labels (= the TFDS
// speech_commands ClassLabel order), mapped to the test set's folder names.
const char* const kLabels[12] = {"down", "go", "left", "no", "off", "on", "right",
                                 "stop", "up", "yes", "_silence_", "_unknown_"};

struct Options {
  std::string dataset, model;
  bool json = false, peak_normalize = true, mlperf_cast = false, fixed = false;
  size_t per_class = 0;  // 0: all
};

int usage() {
  std::cerr << "usage: locus_kws_accuracy DATASET_DIR MODEL.tflite [--json] [--per-class N]\n"
               "       [--no-peak-normalize] [--mlperf-cast] [--fixed]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace locus;
  Options o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") o.json = true;
    else if (a == "--no-peak-normalize") o.peak_normalize = false;
    else if (a == "--mlperf-cast") o.mlperf_cast = true;
    else if (a == "--fixed") o.fixed = true;
    else if (a == "--per-class" && i + 1 < argc) o.per_class = std::stoul(argv[++i]);
    else if (a.rfind("--", 0) == 0) return usage();
    else positional.push_back(a);
  }
  if (positional.size() != 2) return usage();
  o.dataset = positional[0];
  o.model = positional[1];
  try {
    host::AlignedBuffer model = host::read_file(o.model);
    host::CapsuleSpec spec;
    spec.identity.name = "kws_ref_model";
    spec.graph = host::import_tflite(model.span());
    host::BuiltCapsule built = host::build_capsule(std::move(spec));
    host::LoadedCapsule loaded = host::open_capsule(host::copy_to_aligned(built.bytes), o.model);
    host::AlignedBuffer arena(loaded.capsule.arena_bytes());
    Engine engine;
    Status s = engine.init(loaded.capsule, arena.data(), arena.size());
    if (!s) host::fail("engine: ", s.message());
    const TensorView in = engine.input(0);
    if (in.bytes != 490) host::fail("model input has ", in.bytes, " bytes, expected 49x10");
    if (engine.output(0).bytes != 12) host::fail("model output has ", engine.output(0).bytes, " bytes, expected 12");

    dsp::MfccConfig config = dsp::MfccConfig::mlperf_kws();
    if (o.fixed) config.arithmetic = dsp::Arithmetic::kFixed;
    std::vector<uint8_t> state(dsp::Mfcc::state_bytes(config));
    dsp::Mfcc mfcc;
    s = mfcc.init(config, state.data(), state.size());
    if (!s) host::fail("mfcc: ", s.message());
    dsp::FixedFeatureQuantizer fixed_quantizer;
    s = fixed_quantizer.init(in.scale, in.zero_point, config.fixed_frac_bits);
    if (!s) host::fail("quantizer: ", s.message());

    std::vector<float> features(490), normalized(16000);
    std::vector<int16_t> fixed_features(490);
    int confusion[12][12] = {};
    size_t total = 0, correct = 0;
    for (int label = 0; label < 12; ++label) {
      const std::filesystem::path dir = std::filesystem::path(o.dataset) / kLabels[label];
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".wav") files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
      if (o.per_class && files.size() > o.per_class) files.resize(o.per_class);
      for (const std::string& path : files) {
        host::Audio audio = host::read_audio(path, 16000);
        audio.samples.resize(16000, 0);  // pad or cut to 1 s
        size_t frames = 0;
        auto* q = static_cast<int8_t*>(in.data);
        if (o.fixed) {
          if (o.peak_normalize) host::peak_normalize_int16(audio.samples);
          s = mfcc.compute_clip(audio.samples.data(), 16000, fixed_features.data(), 490, &frames);
          fixed_quantizer.quantize(fixed_features.data(), 490, q);
        } else {
          normalized = o.peak_normalize ? host::peak_normalized(audio.samples)
                                        : host::to_float(audio.samples);
          s = mfcc.compute_clip(normalized.data(), 16000, features.data(), 490, &frames);
          if (o.mlperf_cast) {
            for (size_t i = 0; i < 490; ++i) {
              const float v = features[i] / in.scale + float(in.zero_point);
              q[i] = int8_t(std::clamp(int(v), -128, 127));  // toward zero
            }
          } else {
            dsp::quantize_features(features.data(), 490, in.scale, in.zero_point, q);
          }
        }
        if (!s || frames != 49) host::fail(path, ": features: ", s.message());
        s = engine.invoke();
        if (!s) host::fail(path, ": invoke: ", s.message());
        const auto* out = static_cast<const int8_t*>(engine.output(0).data);
        const int predicted = int(std::max_element(out, out + 12) - out);
        ++confusion[label][predicted];
        ++total;
        correct += predicted == label;
      }
    }
    const double accuracy = total ? double(correct) / total : 0.0;
    auto class_accuracy = [&](int l) {
      int n = 0;
      for (int p = 0; p < 12; ++p) n += confusion[l][p];
      return n ? double(confusion[l][l]) / n : 0.0;
    };
    if (o.json) {
      std::printf("{\"clips\": %zu, \"correct\": %zu, \"accuracy\": %.6f,\n \"input_scale\": %.9g, "
                  "\"input_zero_point\": %d,\n \"labels\": [",
                  total, correct, accuracy, double(in.scale), int(in.zero_point));
      for (int l = 0; l < 12; ++l) std::printf("%s\"%s\"", l ? ", " : "", kLabels[l]);
      std::printf("],\n \"per_class_accuracy\": {");
      for (int l = 0; l < 12; ++l) std::printf("%s\"%s\": %.6f", l ? ", " : "", kLabels[l], class_accuracy(l));
      std::printf("},\n \"confusion\": [");
      for (int l = 0; l < 12; ++l) {
        std::printf("%s[", l ? ",\n   " : "");
        for (int p = 0; p < 12; ++p) std::printf("%s%d", p ? ", " : "", confusion[l][p]);
        std::printf("]");
      }
      std::printf("]}\n");
    } else {
      std::printf("MLPerf Tiny KWS, %s features%s%s: input scale %.6g zero point %d\n",
                  o.fixed ? "fixed-point" : "float",
                  o.fixed ? "" : (o.peak_normalize ? ", peak-normalised" : ", int16/32768"),
                  o.mlperf_cast ? ", truncating cast" : "", double(in.scale), int(in.zero_point));
      std::printf("top-1 accuracy: %.2f%% (%zu / %zu clips)\n\nper class:\n", 100 * accuracy, correct, total);
      for (int l = 0; l < 12; ++l) std::printf("  %-10s %6.2f%%\n", kLabels[l], 100 * class_accuracy(l));
      std::printf("\nconfusion (rows: true label, columns: predicted)\n%-10s", "");
      for (int p = 0; p < 12; ++p) std::printf(" %5.5s", kLabels[p]);
      std::printf("\n");
      for (int l = 0; l < 12; ++l) {
        std::printf("%-10s", kLabels[l]);
        for (int p = 0; p < 12; ++p) std::printf(" %5d", confusion[l][p]);
        std::printf("\n");
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "locus_kws_accuracy: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
