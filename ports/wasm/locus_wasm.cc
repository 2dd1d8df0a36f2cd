// The runtime as a WebAssembly module: a C ABI over Capsule, Pipeline and
// Engine for the JavaScript API in js/locus.mjs.
//
// Memory: a session's capsule bytes, its pipeline (or engine) memory and a
// staging buffer for samples are allocated once, at open; push and invoke
// never allocate. The runtime itself still never touches the heap: the
// allocations here are the "caller-owned memory" its API asks for.
//
// Errors: a failing entry point returns null or a non-zero status code and
// leaves "where: what (code)" in locus_wasm_error(), for JavaScript to throw.
#include <emscripten/emscripten.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <new>

#include "runtime/capsule/capsule_reader.h"
#include "runtime/engine/engine.h"
#include "runtime/pipeline/pipeline.h"
#include "runtime/status.h"

namespace {

using locus::Capsule;
using locus::Engine;
using locus::Pipeline;
using locus::PipelineResult;
using locus::Status;
using locus::StatusCode;
using locus::TensorView;

constexpr size_t kStagingSamples = 16384;  // int16 samples per push chunk
constexpr size_t kInfoBytes = 16384;       // the session description (JSON)

struct Session {
  uint8_t* capsule_bytes = nullptr;  // 16-byte aligned copy; read in place
  size_t capsule_size = 0;
  uint8_t* memory = nullptr;         // pipeline memory, or the bare engine's arena
  size_t memory_bytes = 0;
  bool streaming = false;            // a pipeline (DSP block + model), else model only
  Capsule capsule;
  Pipeline pipeline;
  Engine engine;                     // raw invocation, on the pipeline's arena when streaming
  PipelineResult result;
  uint8_t* window = nullptr;         // the model input of the latest inference
  size_t window_bytes = 0;
  int16_t* staging = nullptr;        // kStagingSamples, written by JavaScript
  size_t consumed = 0;               // samples the latest push used
  double values[8] = {};             // the latest result's scalars, for JavaScript
  char* info = nullptr;              // kInfoBytes of JSON
};

char g_error[locus::Status::kMaxMessage + 64];
int g_error_code = 0;

int fail(const Status& s, const char* where) {
  snprintf(g_error, sizeof(g_error), "%s: %s (%s)", where, s.message(),
           locus::status_code_name(s.code()));
  return g_error_code = static_cast<int>(s.code());
}

int fail(StatusCode code, const char* message) {
  snprintf(g_error, sizeof(g_error), "%s (%s)", message, locus::status_code_name(code));
  return g_error_code = static_cast<int>(code);
}

// Observer on the pipeline's engine: before operator 0 the model input holds
// the feature window, which the arena plan may overwrite later in the graph.
// Copying it here lets tests compare the DSP output without a second block.
void keep_window(void* context, uint32_t op_index, locus::schema::OpKind, bool end) {
  if (op_index != 0 || end) return;
  Session* s = static_cast<Session*>(context);
  const TensorView in = s->engine.input(0);  // same capsule and arena as the pipeline's
  memcpy(s->window, in.data, s->window_bytes);
}

// Appends printf-formatted text to the info buffer (truncation is caught by
// the caller through the final length).
struct Writer {
  char* out;
  size_t cap, len = 0;
  void put(const char* format, ...) __attribute__((format(printf, 2, 3))) {
    if (len >= cap) return;
    va_list args;
    va_start(args, format);
    const int n = vsnprintf(out + len, cap - len, format, args);
    va_end(args);
    len += n > 0 ? static_cast<size_t>(n) : 0;
  }
  // A JSON number; JSON has no NaN or infinity, so those become null.
  void num(double x) {
    if (x == x && x - x == 0.0) put("%.9g", x);
    else put("null");
  }
  // A JSON string: quotes, backslashes and control characters escaped.
  void str(const char* s) {
    put("\"");
    for (; s != nullptr && *s; ++s) {
      const unsigned char c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') put("\\%c", c);
      else if (c < 0x20) put("\\u%04x", c);
      else put("%c", c);
    }
    put("\"");
  }
};

void describe_tensors(Writer& w, const Engine& engine, bool outputs) {
  const size_t n = outputs ? engine.output_count() : engine.input_count();
  w.put("[");
  for (size_t i = 0; i < n; ++i) {
    const TensorView t = outputs ? engine.output(i) : engine.input(i);
    w.put("%s{\"type\":", i ? "," : "");
    w.str(locus::schema::EnumNameTensorType(t.type));
    w.put(",\"shape\":[");
    for (int32_t d = 0; d < t.rank; ++d) w.put("%s%d", d ? "," : "", static_cast<int>(t.dims[d]));
    w.put("],\"bytes\":%zu,\"scale\":", t.bytes);
    w.num(t.scale);
    w.put(",\"zero_point\":%d}", static_cast<int>(t.zero_point));
  }
  w.put("]");
}

bool describe(Session* s) {
  Writer w{s->info, kInfoBytes};
  const auto* body = s->capsule.body();
  const auto* id = body->identity();
  const auto* input = body->input();
  w.put("{\"name\":");
  w.str(id && id->name() ? id->name()->c_str() : "");
  w.put(",\"version\":");
  w.str(id && id->version() ? id->version()->c_str() : "");
  w.put(",\"streaming\":%s,\"sensor\":", s->streaming ? "true" : "false");
  w.str(input ? locus::schema::EnumNameSensorKind(input->sensor()) : "Raw");
  w.put(",\"sample_rate_hz\":%u", input ? input->sample_rate_hz() : 0u);
  if (s->streaming) {
    const Pipeline::Plan& p = s->pipeline.plan();
    w.put(",\"dsp\":");
    w.str(locus::dsp_block_kind_name(p.dsp.kind));
    w.put(",\"window_frames\":%u,\"features\":%u,\"stride_frames\":%u,\"stride_ms\":",
          p.window_frames, p.features, p.stride_frames);
    w.num(p.stride_ms);
    w.put(",\"anomaly\":%s",
          p.post.kind == locus::schema::PostProcessKind::Anomaly ? "true" : "false");
  }
  w.put(",\"memory_bytes\":%zu,\"arena_bytes\":%zu,\"labels\":[", s->memory_bytes,
        s->capsule.arena_bytes());
  const auto* labels = body->labels();
  for (uint32_t i = 0; labels && i < labels->size(); ++i) {
    if (i) w.put(",");
    w.str(labels->Get(i) ? labels->Get(i)->c_str() : "");
  }
  w.put("],\"inputs\":");
  describe_tensors(w, s->engine, false);
  w.put(",\"outputs\":");
  describe_tensors(w, s->engine, true);
  w.put("}");
  return w.len < kInfoBytes;
}

void destroy(Session* s) {
  if (s == nullptr) return;
  free(s->capsule_bytes);
  free(s->memory);
  free(s->window);
  free(s->staging);
  free(s->info);
  s->~Session();
  free(s);
}

// Frees a half-built session after `fail` recorded why.
Session* abandon(Session* s, int /*code from fail()*/) {
  destroy(s);
  return nullptr;
}

uint8_t* aligned(size_t bytes) {
  // Runtime buffers must be 16-byte aligned; a zero-byte request still
  // returns a distinct pointer so "allocated" is checkable.
  return static_cast<uint8_t*>(aligned_alloc(16, (bytes + 15) / 16 * 16 + 16));
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* locus_wasm_error() { return g_error; }
EMSCRIPTEN_KEEPALIVE int locus_wasm_error_code() { return g_error_code; }

// 16-byte aligned bytes for JavaScript to copy a capsule into; ownership
// passes to locus_wasm_open (which frees it on failure too).
EMSCRIPTEN_KEEPALIVE uint8_t* locus_wasm_alloc(size_t bytes) { return aligned(bytes); }

// Opens `size` capsule bytes at `data` (from locus_wasm_alloc): verifies the
// capsule, builds its pipeline (or, for a model-only capsule, its engine)
// and runs its self-test. Returns the session, or null (see the error).
EMSCRIPTEN_KEEPALIVE Session* locus_wasm_open(uint8_t* data, size_t size) {
  void* place = malloc(sizeof(Session));
  if (place == nullptr || data == nullptr) {
    free(place);
    free(data);
    fail(StatusCode::kResourceExhausted, "open: out of memory for the session");
    return nullptr;
  }
  Session* s = new (place) Session();
  s->capsule_bytes = data;
  s->capsule_size = size;
  Status st = Capsule::open(data, size, &s->capsule);
  if (!st) return abandon(s, fail(st, "open"));

  const auto* dsp = s->capsule.body()->dsp();
  s->streaming = dsp != nullptr && dsp->size() > 0;
  if (s->streaming) {
    st = Pipeline::memory_bytes(s->capsule, &s->memory_bytes);
    if (!st) return abandon(s, fail(st, "open"));
  } else {
    s->memory_bytes = s->capsule.arena_bytes();
  }
  s->memory = aligned(s->memory_bytes);
  s->staging = reinterpret_cast<int16_t*>(aligned(kStagingSamples * sizeof(int16_t)));
  s->info = reinterpret_cast<char*>(aligned(kInfoBytes));
  if (s->memory == nullptr || s->staging == nullptr || s->info == nullptr) {
    return abandon(s, fail(StatusCode::kResourceExhausted, "open: out of memory for the capsule"));
  }
  if (s->streaming) {
    st = s->pipeline.init(s->capsule, s->memory, s->memory_bytes);  // runs the self-test
    if (!st) return abandon(s, fail(st, "open"));
    const Pipeline::Plan& p = s->pipeline.plan();
    st = s->engine.init(s->capsule, s->memory + p.arena_offset, p.arena_bytes);
  } else {
    st = s->engine.init(s->capsule, s->memory, s->memory_bytes);
    if (st && s->engine.has_self_test()) {
      st = s->engine.run_self_test();
      if (!st) st.prefix("self-test failed");
    }
  }
  if (!st) return abandon(s, fail(st, "open"));
  if (s->streaming && s->engine.input_count() > 0) {
    s->window_bytes = s->engine.input(0).bytes;
    s->window = aligned(s->window_bytes);
    if (s->window == nullptr) {
      return abandon(s, fail(StatusCode::kResourceExhausted, "open: out of memory for the window"));
    }
    // The pipeline exposes its engine read-only; installing an observer
    // changes no state the pipeline relies on.
    const_cast<Engine&>(s->pipeline.engine()).set_observer(keep_window, s);
  }
  if (!describe(s)) {
    return abandon(s, fail(StatusCode::kResourceExhausted, "open: capsule description over 16 KiB"));
  }
  return s;
}

EMSCRIPTEN_KEEPALIVE void locus_wasm_close(Session* s) { destroy(s); }

EMSCRIPTEN_KEEPALIVE const char* locus_wasm_info(Session* s) { return s->info; }
EMSCRIPTEN_KEEPALIVE int16_t* locus_wasm_staging(Session* s) { return s->staging; }
EMSCRIPTEN_KEEPALIVE size_t locus_wasm_staging_samples() { return kStagingSamples; }

EMSCRIPTEN_KEEPALIVE void locus_wasm_reset(Session* s) {
  s->pipeline.reset();
}

// Streams `count` staged samples from `offset` until one inference completes
// or all are used; locus_wasm_consumed() says how many were. Returns 1 with
// a result, 0 without, or minus the status code on error.
EMSCRIPTEN_KEEPALIVE int locus_wasm_push(Session* s, size_t offset, size_t count) {
  s->consumed = 0;
  if (!s->streaming) {
    return -fail(StatusCode::kFailedPrecondition,
                 "push: this capsule has no DSP block (model only): use invoke()");
  }
  if (offset > kStagingSamples || count > kStagingSamples - offset) {
    return -fail(StatusCode::kInvalidArgument, "push: samples outside the staging buffer");
  }
  bool has = false;
  Status st = s->pipeline.push(s->staging + offset, count, &s->consumed, &s->result, &has);
  if (!st) return -fail(st, "push");
  return has ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE size_t locus_wasm_consumed(Session* s) { return s->consumed; }

// The latest result's scalars as 8 doubles (end_index, timestamp_ms,
// top_label, top_score, top_average, label_count, anomaly_score, event);
// its per-label scores and averages are separate float arrays.
EMSCRIPTEN_KEEPALIVE const double* locus_wasm_result(Session* s) {
  const PipelineResult& r = s->result;
  double* out = s->values;
  out[0] = static_cast<double>(r.end_index);
  out[1] = static_cast<double>(r.timestamp_ms);
  out[2] = r.top_label;
  out[3] = r.top_score;
  out[4] = r.top_average;
  out[5] = r.label_count;
  out[6] = r.anomaly_score;
  out[7] = r.event ? 1.0 : 0.0;
  return out;
}
EMSCRIPTEN_KEEPALIVE float* locus_wasm_result_scores(Session* s) { return s->result.scores; }
EMSCRIPTEN_KEEPALIVE float* locus_wasm_result_average(Session* s) { return s->result.average; }
EMSCRIPTEN_KEEPALIVE uint8_t* locus_wasm_window(Session* s) { return s->window; }

// Model tensors: where input/output `index` lives in wasm memory (null if
// there is no such tensor). Valid until the next push or invoke.
EMSCRIPTEN_KEEPALIVE void* locus_wasm_tensor(Session* s, int output, size_t index) {
  const size_t n = output ? s->engine.output_count() : s->engine.input_count();
  if (index >= n) return nullptr;
  return output ? s->engine.output(index).data : s->engine.input(index).data;
}

// One inference of the model alone on the inputs JavaScript wrote.
EMSCRIPTEN_KEEPALIVE int locus_wasm_invoke(Session* s) {
  Status st = s->engine.invoke();
  return st ? 0 : fail(st, "invoke");
}

}  // extern "C"
