#include "host/evaluation/capsule_evaluator.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "host/audio/audio_file.h"
#include "host/audio/clip.h"
#include "host/capsule/capsule_file.h"
#include "host/capsule/capsule_writer.h"
#include "host/common/error.h"
#include "host/sensors/image_file.h"
#include "host/sensors/imu_csv.h"
#include "runtime/pipeline/pipeline.h"

namespace locus::host {
namespace {

uint64_t steady_microseconds(void*) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

const char* sensor_name(schema::SensorKind kind) {
  switch (kind) {
    case schema::SensorKind::Audio: return "audio";
    case schema::SensorKind::Accelerometer: return "accelerometer";
    case schema::SensorKind::Image: return "image";
    default: return "raw";
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// What every clip needs to know about the capsule.
struct Setup {
  schema::SensorKind sensor = schema::SensorKind::Raw;
  uint32_t rate = 0;
  size_t axes = 1;
  bool anomaly = false;
  uint32_t labels = 0;
  size_t first_inference = 0;  // samples (IMU: frames) before the first inference
  size_t fit = 0;              // classifier clip length
  size_t memory_bytes = 0;
};

struct Job {
  const Sample* sample = nullptr;
  int32_t truth = -1;
};

// One clip's result, or its error.
struct Outcome {
  SamplePrediction prediction;
  std::string error;
  uint64_t model_us = 0, dsp_us = 0, max_model_us = 0;
};

struct Worker {
  AlignedBuffer memory;
  Pipeline pipeline;
};

// Pushes all of `data` through the pipeline, calling on_result per inference.
template <typename T, typename Push, typename OnResult>
void feed(const T* data, size_t count, Push push, OnResult on_result) {
  size_t offset = 0;
  while (offset < count) {
    PipelineResult result;
    bool has_result = false;
    size_t used = 0;
    const Status s = push(data + offset, count - offset, &used, &result, &has_result);
    if (!s) fail(s.message());
    offset += used;
    if (has_result) on_result(result);
    if (used == 0 && !has_result) break;
  }
}

Outcome run_clip(const Setup& setup, Pipeline& pipeline, const Job& job) {
  const Sample& sample = *job.sample;
  Outcome out;
  SamplePrediction& p = out.prediction;
  p.path = sample.path;
  p.label = sample.label;
  p.truth = job.truth;
  pipeline.reset();
  PipelineResult last;
  double anomaly_sum = 0.0;
  auto on_result = [&](const PipelineResult& r) {
    ++p.inferences;
    out.model_us += r.model_us;
    out.dsp_us += r.dsp_us;
    out.max_model_us = std::max<uint64_t>(out.max_model_us, r.model_us);
    anomaly_sum += r.anomaly_score;
    last = r;
  };
  // Classifiers see exactly one window; anomaly scoring every window of the
  // clip, at least one.
  auto length = [&](size_t have) {
    return setup.anomaly ? std::max(have, setup.first_inference) : setup.fit;
  };
  switch (setup.sensor) {
    case schema::SensorKind::Audio: {
      std::vector<int16_t> samples = read_audio(sample.path, setup.rate).samples;
      fit_length(samples, length(samples.size()));
      feed(samples.data(), samples.size(),
           [&](const int16_t* d, size_t n, size_t* c, PipelineResult* r, bool* h) {
             return pipeline.push(d, n, c, r, h);
           },
           on_result);
      break;
    }
    case schema::SensorKind::Accelerometer: {
      ImuRecording rec = read_imu_csv(sample.path);
      if (rec.axes() != setup.axes) {
        fail(sample.path, ": has ", rec.axes(), " axes, the capsule expects ", setup.axes);
      }
      rec.samples.resize(length(rec.frames()) * setup.axes, 0.0f);
      feed(rec.samples.data(), rec.samples.size() / setup.axes,
           [&](const float* d, size_t n, size_t* c, PipelineResult* r, bool* h) {
             return pipeline.push_imu(d, n, c, r, h);
           },
           on_result);
      break;
    }
    case schema::SensorKind::Image: {
      const Image image = read_image(sample.path);
      PipelineResult r;
      const Status s =
          pipeline.infer_image(image.pixels.data(), image.width, image.height, image.format, &r);
      if (!s) fail(s.message());
      on_result(r);
      break;
    }
    default: fail("no sensor pipeline");
  }
  if (p.inferences == 0) fail("no inference ran (", pipeline.position(), " samples pushed)");
  if (setup.anomaly) {
    p.anomaly_score = static_cast<float>(anomaly_sum / p.inferences);
    p.confidence = p.anomaly_score;
    return out;
  }
  p.scores.assign(last.scores, last.scores + setup.labels);
  p.predicted = static_cast<int32_t>(std::max_element(p.scores.begin(), p.scores.end()) -
                                     p.scores.begin());
  p.confidence = p.scores[static_cast<size_t>(p.predicted)];
  return out;
}

Setup make_setup(const LoadedCapsule& loaded, const std::string& origin, CapsuleSummary* summary) {
  const Capsule& capsule = loaded.capsule;
  const schema::CapsuleBody* body = capsule.body();
  Setup setup;
  const schema::InputSpec* input = body->input();
  setup.sensor = input ? input->sensor() : schema::SensorKind::Raw;
  if (setup.sensor == schema::SensorKind::Raw || body->dsp() == nullptr || body->dsp()->size() == 0) {
    fail(origin, ": this capsule has no sensor pipeline (no sensor or DSP block); eval needs one "
         "to run recordings");
  }
  Pipeline::Plan plan;
  Status s = Pipeline::make_plan(capsule, &plan);
  if (!s) fail(origin, ": ", s.message());
  s = Pipeline::memory_bytes(capsule, &setup.memory_bytes);
  if (!s) fail(origin, ": ", s.message());
  setup.rate = input->sample_rate_hz();
  setup.axes = input->axes();
  setup.anomaly = plan.post.kind == schema::PostProcessKind::Anomaly;
  setup.labels = plan.post.label_count;
  if (!setup.anomaly && setup.labels == 0) fail(origin, ": the capsule has no labels to evaluate");
  if (setup.sensor != schema::SensorKind::Image) {
    setup.first_inference = size_t{plan.dsp.frame_length()} +
                            size_t{plan.window_frames - 1} * plan.dsp.frame_step();
    const uint32_t rate = setup.sensor == schema::SensorKind::Audio ? setup.rate
                                                                     : plan.dsp.imu.sample_rate_hz;
    const size_t window = static_cast<size_t>(uint64_t{input->window_ms()} * rate / 1000);
    setup.fit = std::max(window, setup.first_inference);
  }

  summary->name = body->identity() && body->identity()->name() ? body->identity()->name()->str() : "";
  summary->version =
      body->identity() && body->identity()->version() ? body->identity()->version()->str() : "";
  const Sha256 digest = sha256(capsule.body_bytes(), capsule.body_size());
  summary->digest = to_hex(digest.data(), digest.size());
  summary->sensor = sensor_name(setup.sensor);
  summary->dsp_block = dsp_block_kind_name(plan.dsp.kind);
  summary->sample_rate_hz = setup.rate;
  summary->window_ms = input->window_ms();
  summary->anomaly = setup.anomaly;
  summary->capsule_bytes = loaded.bytes.size();
  for (const schema::Tensor* t : *capsule.graph()->tensors()) {
    if (t->data()) summary->weight_bytes += t->data()->size();
  }
  summary->arena_bytes = plan.arena_bytes;
  summary->memory_bytes = setup.memory_bytes;
  summary->fit_samples = static_cast<uint32_t>(setup.fit);
  return setup;
}

// The capsule's structure (runtime reader) and its body digest.
LoadedCapsule open_checked(std::span<const uint8_t> bytes, const std::string& origin) {
  LoadedCapsule loaded = open_capsule(copy_to_aligned(bytes), origin);
  const auto* expected = loaded.capsule.envelope()->body_sha256();
  const Sha256 actual = sha256(loaded.capsule.body_bytes(), loaded.capsule.body_size());
  if (expected == nullptr || expected->size() != actual.size() ||
      std::memcmp(expected->data(), actual.data(), actual.size()) != 0) {
    fail(origin, ": digest check failed: the body's SHA-256 differs from the one recorded in the "
         "capsule (the file is corrupt or was modified)");
  }
  return loaded;
}

std::string join_counts(const std::map<std::string, uint64_t>& counts) {
  std::ostringstream s;
  bool first = true;
  for (const auto& [label, n] : counts) {
    s << (first ? "" : ", ") << label << " (" << n << ")";
    first = false;
  }
  return s.str();
}

}  // namespace

bool is_default_anomalous_label(const std::string& label) {
  const std::string l = lower(label);
  return l.rfind("anomal", 0) == 0 || l.rfind("abnormal", 0) == 0;
}

EvalResult evaluate_capsule(std::span<const uint8_t> capsule_bytes,
                            const std::vector<Sample>& samples, const EvalOptions& options,
                            const std::string& origin) {
  if (options.threads < 1) fail("eval: threads must be at least 1 (got ", options.threads, ")");
  const LoadedCapsule loaded = open_checked(capsule_bytes, origin);
  EvalResult result;
  const Setup setup = make_setup(loaded, origin, &result.capsule);

  // Classes and the truth of every sample.
  std::vector<std::string> capsule_labels;
  if (const auto* labels = loaded.capsule.body()->labels()) {
    for (const auto* l : *labels) capsule_labels.push_back(l ? l->str() : "");
  }
  std::set<std::string> anomalous(options.anomalous_labels.begin(), options.anomalous_labels.end());
  std::set<std::string> anomalous_seen;
  std::vector<Job> jobs;
  for (const Sample& sample : samples) {
    ++result.dataset_labels[sample.label];
    Job job{&sample, -1};
    if (setup.anomaly) {
      const bool is_anomalous = options.anomalous_labels.empty()
                                    ? is_default_anomalous_label(sample.label)
                                    : anomalous.count(sample.label) > 0;
      job.truth = is_anomalous ? 1 : 0;
      if (is_anomalous) anomalous_seen.insert(sample.label);
    } else {
      job.truth = model_label_index(sample.label, capsule_labels);
      if (job.truth < 0) {
        ++result.skipped_labels[sample.label];
        continue;
      }
    }
    jobs.push_back(job);
  }
  result.classes = setup.anomaly ? std::vector<std::string>{"normal", "anomalous"} : capsule_labels;
  if (!result.skipped_labels.empty()) {
    result.warnings.push_back("dataset labels the capsule does not know were skipped: " +
                              join_counts(result.skipped_labels));
  }
  for (const std::string& label : options.anomalous_labels) {
    if (result.dataset_labels.count(label) == 0) {
      result.warnings.push_back("anomalous label '" + label + "' does not occur in the data");
    }
  }

  // One pipeline and its memory per thread, each initialised (and
  // self-tested) once; every clip starts from reset().
  const size_t threads = std::max<size_t>(
      1, std::min(static_cast<size_t>(options.threads), jobs.size()));
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t t = 0; t < threads; ++t) {
    auto w = std::make_unique<Worker>();
    w->memory = AlignedBuffer(setup.memory_bytes);
    const Status s = w->pipeline.init(loaded.capsule, w->memory.data(), w->memory.size());
    if (!s) fail(origin, ": ", s.message());
    w->pipeline.set_clock(steady_microseconds, nullptr);
    workers.push_back(std::move(w));
  }
  std::vector<Outcome> outcomes(jobs.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  size_t done = 0;
  auto work = [&](Worker& worker) {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      try {
        outcomes[i] = run_clip(setup, worker.pipeline, jobs[i]);
      } catch (const std::exception& e) {
        outcomes[i].error = e.what();
        // Messages from readers already name the file; others get it here.
        if (outcomes[i].error.rfind(jobs[i].sample->path, 0) != 0) {
          outcomes[i].error = jobs[i].sample->path + ": " + outcomes[i].error;
        }
      }
      if (options.progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress(++done, jobs.size());
      }
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(*workers[t]));
  work(*workers[0]);
  for (std::thread& t : pool) t.join();
  result.latency.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.latency.threads = static_cast<int>(threads);

  // Gather in sample order.
  std::vector<int32_t> truth, predicted;
  std::vector<double> scores;
  std::vector<bool> positive;
  uint64_t model_us = 0, dsp_us = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    Outcome& o = outcomes[i];
    if (!o.error.empty()) {
      result.errors.push_back({jobs[i].sample->path, jobs[i].sample->label, o.error});
      continue;
    }
    result.latency.inferences += o.prediction.inferences;
    model_us += o.model_us;
    dsp_us += o.dsp_us;
    result.latency.max_model_us =
        std::max(result.latency.max_model_us, static_cast<double>(o.max_model_us));
    if (setup.anomaly) {
      scores.push_back(o.prediction.anomaly_score);
      positive.push_back(o.prediction.truth == 1);
    }
    result.predictions.push_back(std::move(o.prediction));
  }
  if (result.latency.inferences > 0) {
    result.latency.mean_model_us = static_cast<double>(model_us) / result.latency.inferences;
    result.latency.mean_dsp_us = static_cast<double>(dsp_us) / result.latency.inferences;
  }
  if (!result.errors.empty()) {
    result.warnings.push_back(std::to_string(result.errors.size()) +
                              " file(s) could not be evaluated (listed under errors)");
  }

  if (setup.anomaly) {
    AnomalySummary a;
    a.max_fpr = options.max_fpr;
    const schema::PostProcess* post = loaded.capsule.body()->postprocess();
    a.threshold = post ? post->anomaly_threshold() : 0.0;
    a.anomalous_labels.assign(anomalous_seen.begin(), anomalous_seen.end());
    for (SamplePrediction& p : result.predictions) {
      p.predicted = p.anomaly_score >= a.threshold ? 1 : 0;
      (p.truth == 1 ? a.anomalous : a.normal) += 1;
    }
    if (a.normal > 0 && a.anomalous > 0) {
      a.roc = roc_curve(scores, positive);
      a.auc = roc_auc(a.roc);
      a.partial_auc = partial_auc(a.roc, a.max_fpr);
    } else {
      result.warnings.push_back("ROC and AUC need both normal and anomalous samples (" +
                                std::to_string(a.normal) + " normal, " +
                                std::to_string(a.anomalous) + " anomalous)");
    }
    result.anomaly = std::move(a);
  }
  for (const SamplePrediction& p : result.predictions) {
    truth.push_back(p.truth);
    predicted.push_back(p.predicted);
  }
  result.confusion = confusion_matrix(truth, predicted, result.classes);
  result.metrics = classification_metrics(result.confusion);
  return result;
}

}  // namespace locus::host
