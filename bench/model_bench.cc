// Wall-clock time of one inference per reference model. The models come
// from LOCUS_TEST_DATA (../shared/datasets); each is imported, planned and
// verified once, then Engine::invoke() is timed.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "host/capsule/capsule_builder.h"
#include "host/capsule/capsule_file.h"
#include "host/tflite/tflite_importer.h"
#include "runtime/engine/engine.h"

namespace {

struct Prepared {
  locus::host::LoadedCapsule loaded;
  locus::host::AlignedBuffer arena;
  locus::Engine engine;
};

std::shared_ptr<Prepared> prepare(const std::string& model_path) {
  auto p = std::make_shared<Prepared>();
  locus::host::AlignedBuffer model = locus::host::read_file(model_path);
  locus::host::CapsuleSpec spec;
  spec.graph = locus::host::import_tflite(model.span());
  locus::host::BuiltCapsule built = locus::host::build_capsule(std::move(spec));
  p->loaded = locus::host::open_capsule(locus::host::copy_to_aligned(built.bytes), model_path);
  p->arena = locus::host::AlignedBuffer(p->loaded.capsule.arena_bytes());
  if (!p->engine.init(p->loaded.capsule, p->arena.data(), p->arena.size()).is_ok()) return nullptr;
  // Start from the self-test input, a realistic non-zero tensor.
  if (!p->engine.run_self_test().is_ok()) return nullptr;
  return p;
}

void run_model(benchmark::State& state, std::shared_ptr<Prepared> p) {
  for (auto _ : state) {
    locus::Status s = p->engine.invoke();
    benchmark::DoNotOptimize(s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* data = std::getenv("LOCUS_TEST_DATA");
  if (data == nullptr) {
    std::cerr << "locus_bench: set LOCUS_TEST_DATA to the datasets folder (../shared/datasets)\n";
    return 2;
  }
  const std::string root(data);
  const std::pair<const char*, std::string> models[] = {
      {"micro_speech", root + "/tflm_micro_speech/micro_speech_quantized.tflite"},
      {"person_detect", root + "/tflm_person_detection/person_detect.tflite"},
      {"kws_ref_model", root + "/mlperf_tiny_models/kws_ref_model.tflite"},
      {"vww_96_int8", root + "/mlperf_tiny_models/vww_96_int8.tflite"},
      {"pretrainedResnet_quant", root + "/mlperf_tiny_models/pretrainedResnet_quant.tflite"},
      {"ad01_int8", root + "/mlperf_tiny_models/ad01_int8.tflite"},
  };
  for (const auto& [name, path] : models) {
    auto prepared = prepare(path);
    if (!prepared) {
      std::cerr << "locus_bench: cannot prepare " << path << "\n";
      return 1;
    }
    benchmark::RegisterBenchmark((std::string("invoke/") + name).c_str(), run_model, prepared)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
