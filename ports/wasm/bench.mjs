// Wall time of the WebAssembly runtime under node: one inference of each
// MLPerf Tiny model, and the micro_speech pipeline (front end + model +
// post-processing) per second of audio. For docs/performance.md; not a test.
//
//   LOCUS_TEST_DATA=../shared/datasets node ports/wasm/bench.mjs \
//     build/wasm/ports/wasm/locus_runtime.mjs build/release/cli/locus
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadLocus } from './js/locus.mjs';
import { parseWav } from './js/wav.mjs';

const [modulePath, cli] = process.argv.slice(2);
const data = process.env.LOCUS_TEST_DATA;
if (!modulePath || !cli || !data) {
  console.error('usage: LOCUS_TEST_DATA=DIR node bench.mjs LOCUS_RUNTIME.mjs HOST_LOCUS');
  process.exit(2);
}
const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'locus-wasm-bench-'));
const locus = await loadLocus({ moduleUrl: path.resolve(modulePath) });

// Median of `rounds` timings of `fn` repeated `reps` times, in ms per call.
function time(fn, reps, rounds = 7) {
  const t = [];
  for (let r = 0; r < rounds; ++r) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; ++i) fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6 / reps);
  }
  return t.sort((a, b) => a - b)[rounds >> 1];
}

try {
  console.log(`node ${process.version}, ${path.basename(modulePath)}`);
  for (const model of ['kws_ref_model', 'vww_96_int8', 'pretrainedResnet_quant', 'ad01_int8']) {
    const file = path.join(work, `${model}.capsule`);
    execFileSync(cli, ['import', path.join(data, 'mlperf_tiny_models', `${model}.tflite`), '-o', file]);
    const capsule = locus.open(fs.readFileSync(file));
    const input = fs.readFileSync(path.join(data, 'golden/mlperf_tiny', model, 'input_0.bin'));
    capsule.invoke(input);
    console.log(`${model.padEnd(24)} ${time(() => capsule.invoke(input), 10).toFixed(3)} ms per inference`);
    capsule.close();
  }
  const file = path.join(work, 'micro_speech.capsule');
  execFileSync(cli, ['build', '-f', path.join(source, 'examples/micro_speech/locus.yml'), '-o', file]);
  const capsule = locus.open(fs.readFileSync(file));
  const clip = parseWav(fs.readFileSync(path.join(data, 'tflm_micro_speech/yes_1000ms.wav'))).samples;
  // Ten seconds of speech: 500 front-end frames and 50 inferences (stride 200 ms).
  const stream = new Int16Array(clip.length * 10);
  for (let i = 0; i < 10; ++i) stream.set(clip, i * clip.length);
  const run = () => { capsule.reset(); capsule.push(stream); };
  console.log(`${'micro_speech pipeline'.padEnd(24)} ${(time(run, 2) / 10).toFixed(3)} ms per second of audio`);
  capsule.close();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
