// The Locus runtime in JavaScript (browser and node): open a capsule, push
// 16-bit samples, receive scores and events; or run the model alone on raw
// input bytes. See ports/wasm/README.md.
//
//   const locus = await loadLocus({ moduleUrl: '/build/locus_runtime.mjs' });
//   const capsule = locus.open(bytes);          // verified + self-tested
//   for (const r of capsule.push(int16Samples)) if (r.event) console.log(r.label);
//   capsule.close();
//
// Every failure throws a LocusError whose message says what and where, e.g.
// "open: capsule: 10 bytes is too small to be a capsule (malformed)".

export class LocusError extends Error {
  constructor(message, code = 'invalid_argument') {
    super(message);
    this.name = 'LocusError';
    this.code = code;  // the runtime's status code name, or invalid_argument
  }
}

// Runtime status codes (runtime/status.h), by number.
const kCodes = ['ok', 'invalid_argument', 'malformed', 'unsupported', 'resource_exhausted',
                'failed_precondition', 'data_loss', 'internal'];

const kIsNode = typeof process !== 'undefined' && !!process.versions?.node;

function kindOf(value) {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.length})`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  return Array.isArray(value) ? `Array(${value.length})` : typeof value;
}

// Bytes from a Uint8Array, another typed array (its bytes), or an ArrayBuffer.
function asBytes(value, what) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new LocusError(`${what} must be a Uint8Array, typed array or ArrayBuffer, got ${kindOf(value)}`);
}

// Loads the module built by ports/wasm (locus_runtime.mjs and its .wasm).
// In a browser the .wasm is fetched beside moduleUrl; under node it is read
// from disk (or pass wasmBinary yourself).
export async function loadLocus({ moduleUrl, wasmBinary } = {}) {
  if (!moduleUrl) throw new LocusError('loadLocus: moduleUrl (the path of locus_runtime.mjs) is required');
  let url = String(moduleUrl);
  if (kIsNode && url.startsWith('/')) url = `file://${url}`;
  const wasmUrl = url.replace(/\.m?js$/, '.wasm');
  if (!wasmBinary) {
    if (kIsNode) {
      const fs = await import('node:fs/promises');
      wasmBinary = await fs.readFile(new URL(wasmUrl));
    } else {
      const response = await fetch(new URL(wasmUrl, globalThis.location?.href));
      if (!response.ok) throw new LocusError(`loadLocus: ${wasmUrl}: HTTP ${response.status}`);
      wasmBinary = await response.arrayBuffer();
    }
  }
  const { default: createLocusModule } = await import(url);
  const module = await createLocusModule({ wasmBinary: asBytes(wasmBinary, 'wasmBinary') });
  return new Locus(module);
}

export class Locus {
  constructor(module) {
    this.module = module;
    // Frees the wasm memory of capsules dropped without close().
    this.finalizer = new FinalizationRegistry((session) => module._locus_wasm_close(session));
  }

  // Verifies the capsule bytes exactly as the runtime does on a device
  // (structure, shapes, offsets, parameters, arena plan), builds its
  // pipeline and runs its self-test. Throws LocusError when any step fails.
  open(bytes) {
    const m = this.module;
    const data = asBytes(bytes, 'open: capsule');
    const ptr = m._locus_wasm_alloc(data.length);
    if (!ptr) throw new LocusError(`open: cannot allocate ${data.length} bytes`, 'resource_exhausted');
    m.HEAPU8.set(data, ptr);
    const session = m._locus_wasm_open(ptr, data.length);  // owns ptr from here on
    if (!session) throw this.lastError();
    let info;
    try {
      info = JSON.parse(m.UTF8ToString(m._locus_wasm_info(session)));
    } catch (error) {
      m._locus_wasm_close(session);
      throw new LocusError(`open: the capsule's description is not valid JSON (${error.message})`, 'internal');
    }
    const capsule = new LocusCapsule(this, session, info);
    this.finalizer.register(capsule, session, capsule);
    return capsule;
  }

  lastError() {
    const m = this.module;
    return new LocusError(m.UTF8ToString(m._locus_wasm_error()), kCodes[m._locus_wasm_error_code()] ?? 'internal');
  }
}

const kTypedArray = { Int8: Int8Array, UInt8: Uint8Array, Int16: Int16Array, Int32: Int32Array,
                      Float32: Float32Array };

export class LocusCapsule {
  constructor(locus, session, info) {
    this.locus = locus;
    this.session = session;
    // name, version, streaming, sensor, sample_rate_hz, dsp, window_frames,
    // features, stride_frames, stride_ms, anomaly, memory_bytes, arena_bytes,
    // labels, inputs and outputs ({type, shape, bytes, scale, zero_point}).
    this.info = info;
    this.labels = info.labels;
    this.stagingSamples = locus.module._locus_wasm_staging_samples();
  }

  check(what) {
    if (!this.session) throw new LocusError(`${what}: the capsule is closed`, 'failed_precondition');
  }

  // Streams 16-bit PCM samples (Int16Array, mono, at info.sample_rate_hz)
  // through the pipeline; returns the results of the inferences they
  // completed, oldest first (often none: one comes every stride).
  push(samples) {
    this.check('push');
    if (!(samples instanceof Int16Array)) {
      throw new LocusError(`push: samples must be an Int16Array of 16-bit mono PCM at ` +
                           `${this.info.sample_rate_hz} Hz, got ${kindOf(samples)}` +
                           (samples instanceof Float32Array ? ' (convert with pcm16FromFloat32)' : ''));
    }
    if (!this.info.streaming) {
      throw new LocusError('push: this capsule has no DSP block (model only): use invoke()',
                           'failed_precondition');
    }
    const m = this.locus.module;
    const results = [];
    for (let start = 0; start < samples.length; start += this.stagingSamples) {
      const chunk = samples.subarray(start, start + this.stagingSamples);
      m.HEAP16.set(chunk, m._locus_wasm_staging(this.session) >> 1);
      for (let offset = 0; offset < chunk.length;) {
        const status = m._locus_wasm_push(this.session, offset, chunk.length - offset);
        if (status < 0) throw this.locus.lastError();
        offset += m._locus_wasm_consumed(this.session);
        if (status === 1) results.push(this.result());
      }
    }
    return results;
  }

  // The latest inference, copied out of wasm memory.
  result() {
    const m = this.locus.module;
    const s = this.session;
    const v = m.HEAPF64.subarray(m._locus_wasm_result(s) >> 3, (m._locus_wasm_result(s) >> 3) + 8);
    const n = v[5];
    const topLabel = v[2];
    const out = this.info.outputs[0];
    const window = this.info.inputs[0];
    return {
      endIndex: v[0],
      timestampMs: v[1],
      topLabel,
      label: topLabel >= 0 ? this.labels[topLabel] ?? '' : '',
      topScore: v[3],
      topAverage: v[4],
      anomalyScore: v[6],
      event: v[7] === 1,
      scores: m.HEAPF32.slice(m._locus_wasm_result_scores(s) >> 2, (m._locus_wasm_result_scores(s) >> 2) + n),
      average: m.HEAPF32.slice(m._locus_wasm_result_average(s) >> 2, (m._locus_wasm_result_average(s) >> 2) + n),
      // Raw bytes: the model's first output and the feature window it saw.
      output: m.HEAPU8.slice(m._locus_wasm_tensor(s, 1, 0), m._locus_wasm_tensor(s, 1, 0) + out.bytes),
      window: m.HEAPU8.slice(m._locus_wasm_window(s), m._locus_wasm_window(s) + window.bytes),
    };
  }

  // Starts a fresh stream (empty DSP buffers, window and history, time 0).
  reset() {
    this.check('reset');
    this.locus.module._locus_wasm_reset(this.session);
  }

  // Runs the model alone: one input's bytes (or an array, one per input),
  // each exactly inputs[i].bytes long. Returns each output's bytes.
  invoke(inputs) {
    this.check('invoke');
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const m = this.locus.module;
    if (list.length !== this.info.inputs.length) {
      throw new LocusError(`invoke: the model has ${this.info.inputs.length} input(s), got ${list.length}`);
    }
    list.forEach((input, i) => {
      const bytes = asBytes(input, `invoke: input ${i}`);
      const want = this.info.inputs[i].bytes;
      if (bytes.length !== want) {
        throw new LocusError(`invoke: input ${i} (${this.info.inputs[i].type} ` +
                             `[${this.info.inputs[i].shape}]) needs ${want} bytes, got ${bytes.length}`);
      }
      m.HEAPU8.set(bytes, m._locus_wasm_tensor(this.session, 0, i));
    });
    if (m._locus_wasm_invoke(this.session) !== 0) throw this.locus.lastError();
    return this.info.outputs.map((o, i) => {
      const p = m._locus_wasm_tensor(this.session, 1, i);
      return m.HEAPU8.slice(p, p + o.bytes);
    });
  }

  // Output bytes as numbers of the tensor's type (e.g. Int8Array).
  decode(bytes, index = 0) {
    const T = kTypedArray[this.info.outputs[index].type] ?? Uint8Array;
    return new T(bytes.buffer, bytes.byteOffset, bytes.byteLength / T.BYTES_PER_ELEMENT);
  }

  // Frees the capsule's wasm memory; the object is unusable afterwards.
  close() {
    if (!this.session) return;
    this.locus.finalizer.unregister(this);
    this.locus.module._locus_wasm_close(this.session);
    this.session = 0;
  }
}

// Float samples in [-1, 1] (Web Audio) to 16-bit PCM, rounded and clamped.
export function pcm16FromFloat32(floats) {
  if (!(floats instanceof Float32Array)) {
    throw new LocusError(`pcm16FromFloat32: expected a Float32Array, got ${kindOf(floats)}`);
  }
  const out = new Int16Array(floats.length);
  for (let i = 0; i < floats.length; ++i) {
    const x = Math.round(floats[i] * 32768);
    out[i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return out;
}
