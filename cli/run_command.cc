#include <iomanip>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"
#include "host/pipeline/stream_runner.h"

namespace locus::cli {
namespace {

struct RunOptions {
  std::string capsule;
  std::string recording;  // streamed through the whole pipeline
  std::string input;      // raw tensor for the model alone
  bool all = false;
  std::string output;
  bool json = false;
  bool profile = false;
  bool skip_self_test = false;
};

// Values of the first output, decoded by type, for printing.
std::vector<double> decode(const Capsule& capsule, const std::vector<uint8_t>& bytes) {
  const auto* t = capsule.graph()->tensors()->Get(
      static_cast<uint32_t>(capsule.graph()->outputs()->Get(0)));
  std::vector<double> v;
  for (size_t i = 0; i < bytes.size();) {
    switch (t->type()) {
      case schema::TensorType::Int8: v.push_back(static_cast<int8_t>(bytes[i])); i += 1; break;
      case schema::TensorType::UInt8: v.push_back(bytes[i]); i += 1; break;
      case schema::TensorType::Int16: {
        int16_t x;
        std::memcpy(&x, &bytes[i], 2);
        v.push_back(x);
        i += 2;
        break;
      }
      case schema::TensorType::Int32: {
        int32_t x;
        std::memcpy(&x, &bytes[i], 4);
        v.push_back(x);
        i += 4;
        break;
      }
      case schema::TensorType::Float32: {
        float x;
        std::memcpy(&x, &bytes[i], 4);
        v.push_back(x);
        i += 4;
        break;
      }
    }
  }
  return v;
}

// One line per event (or per inference with --all): text or JSON lines.
void stream(const RunOptions& o, const host::LoadedCapsule& loaded) {
  const bool anomaly = loaded.capsule.body()->postprocess() &&
                       loaded.capsule.body()->postprocess()->kind() == schema::PostProcessKind::Anomaly;
  size_t events = 0;
  const size_t inferences = host::stream_file(
      loaded.capsule, o.recording,
      [&](const host::StreamInference& inference) {
        const PipelineResult& r = inference.result;
        if (!r.event && !o.all) return;
        events += r.event ? 1 : 0;
        const char* label = r.top_label >= 0 ? inference.pipeline.label(r.top_label) : "";
        if (o.json) {
          nlohmann::json j = {{"timestamp_ms", r.timestamp_ms},
                              {"event", r.event},
                              {"dsp_us", r.dsp_us},
                              {"model_us", r.model_us},
                              {"post_us", r.post_us}};
          if (anomaly) {
            j["anomaly_score"] = r.anomaly_score;
          } else {
            j["label"] = label;
            j["score"] = r.top_average;
            j["instant_score"] = r.top_score;
          }
          std::cout << j.dump() << "\n";
          return;
        }
        std::cout << std::fixed << std::setprecision(3) << std::setw(9) << r.timestamp_ms / 1000.0
                  << " s  ";
        if (anomaly) {
          std::cout << "anomaly score " << std::setprecision(2) << r.anomaly_score;
        } else {
          std::cout << std::left << std::setw(12) << label << std::right << " " << std::setprecision(2)
                    << r.top_average;
        }
        std::cout << (r.event ? "  EVENT" : "") << "   (dsp " << r.dsp_us << " us, model "
                  << r.model_us << " us, post " << r.post_us << " us)\n";
      },
      o.recording == "-" ? &std::cin : nullptr);
  if (!o.json) {
    std::cerr << inferences << " inferences, " << events << " events\n";
  }
}

void run(const RunOptions& o) {
  host::LoadedCapsule loaded = host::load_capsule(o.capsule);
  if (!o.recording.empty()) {
    if (!o.input.empty()) host::fail("give either a recording to stream or --input, not both");
    stream(o, loaded);
    return;
  }
  if (o.input.empty()) host::fail("nothing to run: give a recording, or --input TENSOR.bin");
  host::AlignedBuffer input = host::read_file(o.input);
  host::RawRunOptions options;
  options.self_test = !o.skip_self_test;
  options.profile = o.profile;
  host::RawRunResult result = host::run_raw(loaded.capsule, input.span(), options);
  if (!o.output.empty()) host::write_file_atomic(o.output, result.outputs.at(0));

  const std::vector<double> values = decode(loaded.capsule, result.outputs.at(0));
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[best]) best = i;
  }
  const auto* labels = loaded.capsule.body()->labels();
  const std::string label =
      labels && best < labels->size() ? labels->Get(static_cast<uint32_t>(best))->str() : "";
  if (o.json) {
    nlohmann::json j;
    j["output"] = values;
    j["argmax"] = best;
    if (!label.empty()) j["label"] = label;
    j["self_test"] = result.self_test_passed;
    if (o.profile) {
      j["operators"] = nlohmann::json::array();
      for (const auto& t : result.timings) {
        j["operators"].push_back({{"index", t.index}, {"kind", t.kind}, {"us", t.microseconds}});
      }
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  if (result.self_test_passed) std::cout << "self-test passed\n";
  std::cout << "output:";
  for (size_t i = 0; i < values.size() && i < 64; ++i) std::cout << " " << values[i];
  if (values.size() > 64) std::cout << " ... (" << values.size() << " values)";
  std::cout << "\nargmax: " << best;
  if (!label.empty()) std::cout << " (" << label << ")";
  std::cout << "\n";
  if (o.profile) {
    double total = 0;
    for (const auto& t : result.timings) {
      std::cout << "  " << std::setw(3) << t.index << "  " << std::left << std::setw(20) << t.kind
                << std::right << std::setw(10) << std::fixed << std::setprecision(1)
                << t.microseconds << " us\n";
      total += t.microseconds;
    }
    std::cout << "  total " << std::fixed << std::setprecision(1) << total << " us\n";
  }
}

}  // namespace

void register_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Stream a recording through a capsule's whole pipeline (DSP block, model every stride,\n"
      "averaging, threshold, suppression) and print its events with per-stage times; or run\n"
      "the model alone once on a raw input tensor (--input). The self-test runs first.");
  cmd->add_option("capsule", o->capsule, "The .capsule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("recording", o->recording,
                  "WAV/FLAC/OGG (resampled to the capsule's rate), CSV for IMU, BMP/PGM/PPM for "
                  "images, or - for raw 16-bit mono PCM on stdin");
  cmd->add_option("-i,--input", o->input, "Raw bytes of the model's first input tensor")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--all", o->all, "Print every inference, not only events");
  cmd->add_option("-o,--output", o->output, "Write the first output's raw bytes here");
  cmd->add_flag("--profile", o->profile, "Time every operator");
  cmd->add_flag("--skip-self-test", o->skip_self_test, "Do not run the embedded self-test");
  cmd->add_flag("--json", o->json, "Print JSON (one object per line when streaming)");
  cmd->callback([o] { run(*o); });
}

}  // namespace locus::cli
