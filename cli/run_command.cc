#include <iomanip>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/raw_runner.h"
#include "host/common/error.h"

namespace locus::cli {
namespace {

struct RunOptions {
  std::string capsule;
  std::string input;
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

void run(const RunOptions& o) {
  host::LoadedCapsule loaded = host::load_capsule(o.capsule);
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
      "Run a capsule once on a raw input tensor. The capsule's self-test runs first, as on\n"
      "a device. Prints the first output's values and its argmax (with label if known).");
  cmd->add_option("capsule", o->capsule, "The .capsule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-i,--input", o->input, "Raw bytes of the first input tensor")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output, "Write the first output's raw bytes here");
  cmd->add_flag("--profile", o->profile, "Time every operator");
  cmd->add_flag("--skip-self-test", o->skip_self_test, "Do not run the embedded self-test");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o] { run(*o); });
}

}  // namespace locus::cli
