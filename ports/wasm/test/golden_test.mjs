// The WebAssembly runtime against TFLM's golden outputs and the host runtime,
// byte for byte: the micro_speech front end and model on its test clips and on
// a stream, the four MLPerf Tiny models on fixed inputs; and bad input.
//
// Environment: LOCUS_WASM_MODULE (build/wasm/ports/wasm/locus_runtime.mjs),
// LOCUS_CLI (the host `locus`), LOCUS_TEST_DATA (reference data; the data
// checks skip without it). Run by run_tests.sh / scripts/check-wasm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { LocusError, loadLocus } from '../js/locus.mjs';
import { encodeWav, parseWav } from '../js/wav.mjs';

const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const data = process.env.LOCUS_TEST_DATA;
const cli = process.env.LOCUS_CLI;
const noData = !data || !fs.existsSync(path.join(data, 'golden'))
  ? 'LOCUS_TEST_DATA is not set (or has no golden/): the reference-data checks skip' : false;
if (noData) console.log(`# ${noData}`);
if (!process.env.LOCUS_WASM_MODULE) throw new Error('LOCUS_WASM_MODULE is not set');
if (!noData && !cli) throw new Error('LOCUS_CLI (the host locus) is not set');

const locus = await loadLocus({ moduleUrl: path.resolve(process.env.LOCUS_WASM_MODULE) });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'locus-wasm-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function host(...args) {
  return execFileSync(cli, args, { env: { ...process.env, LOCUS_TEST_DATA: data }, encoding: 'utf8',
                                   maxBuffer: 64 << 20 });
}
const read = (...parts) => new Uint8Array(fs.readFileSync(path.join(...parts)));
const clip = (name) => parseWav(read(data, 'tflm_micro_speech', `${name}.wav`), name).samples;

// Host inferences of `locus run --all --json` on a WAV file.
function hostStream(capsule, wavFile) {
  return host('run', capsule, wavFile, '--all', '--json').trim().split('\n').map((l) => JSON.parse(l));
}

// The wasm results in the host's terms, for exact comparison.
const comparable = (r) => ({ timestamp_ms: r.timestampMs, event: r.event, label: r.label,
                             score: r.topAverage, instant_score: r.topScore });
const hostComparable = (h) => ({ timestamp_ms: h.timestamp_ms, event: h.event, label: h.label,
                                 score: h.score, instant_score: h.instant_score });

test('bad input is refused with a LocusError, not a crash', () => {
  const refuses = (fn, pattern) => assert.throws(fn, (e) => e instanceof LocusError && pattern.test(e.message),
                                                 `expected a LocusError matching ${pattern}`);
  refuses(() => locus.open(new Uint8Array(0)), /^open: capsule: 0 bytes is too small/);
  refuses(() => locus.open(new Uint8Array(4096).fill(7)), /^open: capsule: .*\(malformed\)$/);
  refuses(() => locus.open('not bytes'), /^open: capsule must be a Uint8Array.*got string/);
  // The module still works after a refusal.
  refuses(() => locus.open(new Uint8Array(16)), /^open: capsule:/);
});

describe('micro_speech: front end and model', { skip: noData }, () => {
  let capsulePath, capsuleBytes, capsule;
  before(() => {
    capsulePath = path.join(work, 'micro_speech.capsule');
    host('build', '-f', path.join(source, 'examples/micro_speech/locus.yml'), '-o', capsulePath);
    capsuleBytes = read(capsulePath);
    capsule = locus.open(capsuleBytes);
  });
  after(() => capsule?.close());

  test('opens with the capsule description', () => {
    assert.equal(capsule.info.streaming, true);
    assert.equal(capsule.info.dsp, 'audio_frontend');
    assert.equal(capsule.info.sample_rate_hz, 16000);
    assert.deepEqual(capsule.labels, ['silence', 'unknown', 'yes', 'no']);
    assert.deepEqual(capsule.info.inputs[0].shape, [1, 1960]);  // 49 frames x 40 channels
  });

  for (const name of ['yes_1000ms', 'no_1000ms', 'noise_1000ms', 'silence_1000ms']) {
    test(`${name}: features and scores equal TFLM's and the host's`, () => {
      const golden = path.join(data, 'golden/micro_speech/frontend_head');
      capsule.reset();
      const results = capsule.push(clip(name));
      assert.equal(results.length, 1, 'a 1 s clip completes exactly one 49-frame window');
      const [r] = results;
      assert.deepEqual(r.window, read(golden, `${name}.features_i8.bin`), 'front-end features (int8, 49x40)');
      assert.deepEqual(r.output, read(golden, `${name}.scores_i8.bin`), 'model scores (int8)');
      const expected = hostStream(capsulePath, path.join(data, 'tflm_micro_speech', `${name}.wav`));
      assert.deepEqual([comparable(r)], expected.map(hostComparable));
    });
  }

  test('a stream (silence, yes, silence, no, silence) gives the host\'s every inference', () => {
    const parts = ['silence_1000ms', 'yes_1000ms', 'silence_1000ms', 'no_1000ms', 'silence_1000ms'].map(clip);
    const stream = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (stream.set(p, at), at + p.length), 0);
    const wavFile = path.join(work, 'yes_no.wav');
    fs.writeFileSync(wavFile, encodeWav(stream, 16000));
    const expected = hostStream(capsulePath, wavFile).map(hostComparable);

    // Chunk sizes as audio callbacks deliver them (and one odd size) must
    // not change anything: time is counted in samples.
    for (const chunk of [128, 1000, 4099, stream.length]) {
      capsule.reset();
      const got = [];
      for (let at = 0; at < stream.length; at += chunk) got.push(...capsule.push(stream.subarray(at, at + chunk)));
      assert.deepEqual(got.map(comparable), expected, `chunks of ${chunk} samples`);
    }
    assert.deepEqual(expected.filter((e) => e.event).map((e) => e.label), ['yes', 'no']);
  });

  test('bad capsules and bad samples are refused with what and where', () => {
    const refuses = (fn, pattern) => assert.throws(fn, (e) => e instanceof LocusError && pattern.test(e.message),
                                                   `expected a LocusError matching ${pattern}`);
    refuses(() => locus.open(capsuleBytes.slice(0, capsuleBytes.length >> 1)), /^open: capsule: /);
    // One flipped bit in every 509th byte: the verifier or the self-test must notice.
    const tampered = capsuleBytes.slice();
    for (let i = 64; i < tampered.length; i += 509) tampered[i] ^= 0x10;
    refuses(() => locus.open(tampered), /^open: .*\((malformed|data loss|unsupported)\)$/);
    refuses(() => capsule.push(new Float32Array(160)), /^push: samples must be an Int16Array .* got Float32Array\(160\)/);
    refuses(() => capsule.push([1, 2, 3]), /^push: samples must be an Int16Array .* got Array\(3\)/);
    refuses(() => capsule.invoke(new Uint8Array(10)), /^invoke: input 0 \(Int8 \[1,1960\]\) needs 1960 bytes, got 10$/);
    const closed = locus.open(capsuleBytes);
    closed.close();
    refuses(() => closed.push(new Int16Array(10)), /^push: the capsule is closed$/);
  });

  test('mutated capsules open and run, or are refused; the module never traps', () => {
    // xorshift32, fixed seed: the same 400 mutants every run.
    let x = 0x2545f491;
    const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
    const audio = clip('yes_1000ms');
    let refused = 0;
    for (let i = 0; i < 400; ++i) {
      const mutant = capsuleBytes.slice(0, i % 10 === 0 ? next() % capsuleBytes.length : capsuleBytes.length);
      for (let k = 1 + (next() % 4); k > 0 && mutant.length; --k) mutant[next() % mutant.length] = next() & 0xff;
      let opened = null;
      try {
        opened = locus.open(mutant);
      } catch (e) {
        assert.ok(e instanceof LocusError, `mutant ${i}: ${e}`);
        ++refused;
        continue;
      }
      try {
        opened.push(audio);  // a capsule that opened must run (or refuse) cleanly
      } catch (e) {
        assert.ok(e instanceof LocusError, `mutant ${i} while streaming: ${e}`);
      } finally {
        opened.close();
      }
    }
    // Both paths ran: many refusals (verifier, self-test) and some capsules
    // whose changed bytes the self-test cannot see (e.g. names, statistics).
    assert.ok(refused > 100 && refused < 400, `${refused} of 400 mutants were refused`);
    // Still the same module: the original capsule gives TFLM's scores.
    const again = locus.open(capsuleBytes);
    assert.deepEqual(again.push(audio)[0].output,
                     read(data, 'golden/micro_speech/frontend_head/yes_1000ms.scores_i8.bin'));
    again.close();
  });
});

// The MLPerf KWS model behind the runtime's MFCC block: float DSP is where a
// target could round differently, so the window the model sees must equal
// `locus features` byte for byte, and every inference must equal `locus run`.
const speech = data && path.join(data, 'speech_commands_test_v0.02');
const noSpeech = noData || (!fs.existsSync(speech) && `${speech} is missing`);
for (const arithmetic of ['float', 'fixed']) {
  describe(`MLPerf KWS behind the MFCC block (${arithmetic})`, { skip: noSpeech }, () => {
    const block = `mfcc: { window_ms: 40, step_ms: 20, fft_length: 1024, mel_bands: 40, lower_hz: 20,
          upper_hz: 4000, coefficients: 10, log: natural, log_offset: 1.0e-6, arithmetic: ${arithmetic},
          quantize: { scale: 0.5847029, zero_point: 83 } }`;
    const dir = path.join(work, `kws_${arithmetic}`);
    let capsulePath, capsule, clips;
    before(() => {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'block.yml'), `${block}\n`);
      fs.writeFileSync(path.join(dir, 'locus.yml'), `name: kws_mfcc_${arithmetic}
version: 1.0.0
input: { sensor: audio, sample_rate: 16000, window_ms: 1000, stride_ms: 500 }
features:
  - ${block}
model:
  import: \${LOCUS_TEST_DATA}/mlperf_tiny_models/kws_ref_model.tflite
  labels: [down, go, left, no, off, on, right, stop, up, yes, _silence_, _unknown_]
postprocess: { average_ms: 1000, threshold: 0.6, suppress_ms: 1000, background: [_silence_, _unknown_] }
`);
      capsulePath = path.join(dir, 'kws.capsule');
      host('build', '-f', path.join(dir, 'locus.yml'), '-o', capsulePath);
      capsule = locus.open(read(capsulePath));
      // The first two full-second clips of every word (sorted: the same each run).
      clips = [];
      for (const word of fs.readdirSync(speech).filter((w) => fs.statSync(path.join(speech, w)).isDirectory()).sort()) {
        const files = fs.readdirSync(path.join(speech, word)).filter((f) => f.endsWith('.wav')).sort();
        let taken = 0;
        for (const f of files) {
          const file = path.join(speech, word, f);
          const samples = parseWav(read(file), file).samples;
          if (samples.length !== 16000) continue;
          clips.push({ name: `${word}/${f}`, file, samples });
          if (++taken === 2) break;
        }
      }
    });
    after(() => capsule?.close());

    test('each clip: the feature window equals locus features, the output locus run', () => {
      assert.equal(clips.length, 24);
      for (const [i, c] of clips.entries()) {
        capsule.reset();
        const results = capsule.push(c.samples);
        assert.equal(results.length, 1, `${c.name}: one 49-frame window`);
        const npyFile = path.join(dir, 'features.npy');
        host('features', '-b', path.join(dir, 'block.yml'), c.file, '-o', npyFile);
        const npy = read(npyFile);
        const header = 10 + (npy[8] | (npy[9] << 8));  // .npy version 1: magic, version, header length
        assert.deepEqual(results[0].window, npy.subarray(header), `${c.name}: int8 MFCC window (49x10)`);
        if (i % 8 === 0) {  // the model alone on that window, through the host
          const input = path.join(dir, 'window.bin');
          const output = path.join(dir, 'output.bin');
          fs.writeFileSync(input, results[0].window);
          host('run', capsulePath, '--input', input, '--output', output);
          assert.deepEqual(results[0].output, read(output), `${c.name}: model output`);
        }
      }
    });

    test('the clips as one stream: every inference equals the host\'s', () => {
      const stream = new Int16Array(clips.length * 16000);
      clips.forEach((c, i) => stream.set(c.samples, i * 16000));
      const wavFile = path.join(dir, 'stream.wav');
      fs.writeFileSync(wavFile, encodeWav(stream, 16000));
      const expected = hostStream(capsulePath, wavFile).map(hostComparable);
      capsule.reset();
      const got = [];
      for (let at = 0; at < stream.length; at += 1000) got.push(...capsule.push(stream.subarray(at, at + 1000)));
      assert.equal(got.length, 47);  // 24 s, a window every 0.5 s from 1 s on
      assert.deepEqual(got.map(comparable), expected);
    });
  });
}

describe('MLPerf Tiny models on fixed inputs', { skip: noData }, () => {
  for (const model of ['kws_ref_model', 'ad01_int8', 'pretrainedResnet_quant', 'vww_96_int8']) {
    test(`${model}: outputs equal TFLM's and the host's`, () => {
      const capsulePath = path.join(work, `${model}.capsule`);
      host('import', path.join(data, 'mlperf_tiny_models', `${model}.tflite`), '-o', capsulePath);
      const capsule = locus.open(read(capsulePath));
      try {
        assert.equal(capsule.info.streaming, false);
        for (let k = 0; k < 5; ++k) {
          const dir = path.join(data, 'golden/mlperf_tiny', model);
          const [output] = capsule.invoke(read(dir, `input_${k}.bin`));
          assert.deepEqual(output, read(dir, `output_${k}.bin`), `input ${k}: TFLM's golden output`);
          const hostOut = path.join(work, `${model}.${k}.out`);
          host('run', capsulePath, '--input', path.join(dir, `input_${k}.bin`), '--output', hostOut);
          assert.deepEqual(output, read(hostOut), `input ${k}: the host runtime's output`);
        }
        assert.throws(() => capsule.push(new Int16Array(16)), /push: this capsule has no DSP block/);
      } finally {
        capsule.close();
      }
    });
  }
});
