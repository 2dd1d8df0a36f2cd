// The browser page end to end in headless Chromium (Playwright): the
// micro_speech capsule hears "yes" through Chromium's fake microphone (a WAV
// file), classifies an uploaded WAV exactly as the host does, and shows the
// runtime's error for a bad capsule.
//
// Environment: LOCUS_WASM_BUILD (the emcmake build folder), LOCUS_CLI (host
// `locus`), LOCUS_TEST_DATA; CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { encodeWav, parseWav } from '../js/wav.mjs';
import { serve } from '../web/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, '../../..');
const data = process.env.LOCUS_TEST_DATA;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
let playwright = null;
try {
  playwright = await import('playwright-core');
} catch { /* reported below */ }

const skip = !data || !fs.existsSync(path.join(data, 'tflm_micro_speech'))
  ? 'LOCUS_TEST_DATA is not set: the browser test needs the micro_speech model and clips'
  : !playwright ? 'playwright-core is not installed (scripts/setup runs npm ci in ports/wasm)'
  : !fs.existsSync(chromiumPath) ? `${chromiumPath} not found (scripts/setup installs chromium)`
  : false;
if (skip) console.log(`# skipped: ${skip}`);

describe('browser page', { skip }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'locus-browser-'));
  const capsulePath = path.join(work, 'micro_speech.capsule');
  const micWav = path.join(work, 'mic.wav');
  const streamWav = path.join(work, 'yes_no.wav');
  let server, browser, page, base;

  before(async () => {
    const env = { ...process.env, LOCUS_TEST_DATA: data };
    execFileSync(process.env.LOCUS_CLI, ['build', '-f', path.join(source, 'examples/micro_speech/locus.yml'),
                                         '-o', capsulePath], { env });
    const clip = (name) => parseWav(fs.readFileSync(path.join(data, 'tflm_micro_speech', `${name}.wav`))).samples;
    const join = (names) => {
      const parts = names.map(clip);
      const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
      return out;
    };
    // The fake microphone loops this file: one "yes" between silences.
    fs.writeFileSync(micWav, encodeWav(join(['silence_1000ms', 'yes_1000ms', 'silence_1000ms', 'silence_1000ms']), 16000));
    fs.writeFileSync(streamWav, encodeWav(join(['silence_1000ms', 'yes_1000ms', 'silence_1000ms', 'no_1000ms',
                                                'silence_1000ms']), 16000));
    server = await serve({ build: path.resolve(process.env.LOCUS_WASM_BUILD), capsule: capsulePath });
    base = `http://127.0.0.1:${server.address().port}`;
    browser = await playwright.chromium.launch({
      executablePath: chromiumPath,
      args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
             `--use-file-for-fake-audio-capture=${micWav}`, '--autoplay-policy=no-user-gesture-required',
             // No background connections: the machines running this have no outside network.
             '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('loads the capsule: verified, labels as score rows', async () => {
    assert.match(await page.textContent('#capsule-info'), /^micro_speech 1\.0\.0: audio_frontend at 16000 Hz, 4 labels/);
    assert.deepEqual(await page.$$eval('#scores tr', (rows) => rows.map((r) => r.dataset.label)),
                     ['silence', 'unknown', 'yes', 'no']);
  });

  test('the microphone (a fake capture of "yes") is classified live', async () => {
    await page.click('#mic-start');
    await page.waitForSelector('body[data-state="listening"]', { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('#events li'), null, { timeout: 30000 });
    assert.equal(await page.textContent('#detected'), 'yes');
    assert.equal(await page.getAttribute('#events li', 'data-label'), 'yes');
    // The bars moved: the averaged score of "yes" is shown and non-zero.
    assert.ok(Number(await page.textContent('#scores tr[data-label="yes"] td.value')) > 0);
    await page.click('#mic-stop');
  });

  test('an uploaded WAV gives the host\'s events, at the same times', async () => {
    const expected = execFileSync(process.env.LOCUS_CLI, ['run', capsulePath, streamWav, '--json'], { encoding: 'utf8' })
      .trim().split('\n').map((l) => JSON.parse(l)).map((e) => ({ label: e.label, ms: String(e.timestamp_ms) }));
    assert.deepEqual(expected.map((e) => e.label), ['yes', 'no']);
    await page.setInputFiles('#wav-file', streamWav);
    await page.waitForSelector('body[data-state="done"]', { timeout: 30000 });
    const shown = await page.$$eval('#events li', (items) => items.map((li) => ({ label: li.dataset.label,
                                                                                  ms: li.dataset.timestampMs })));
    assert.deepEqual(shown, expected);
    assert.equal(await page.textContent('#detected'), 'no');
  });

  test('bad files show the runtime\'s error and keep the capsule', async () => {
    await page.setInputFiles('#capsule-file', { name: 'broken.capsule', mimeType: 'application/octet-stream',
                                                buffer: fs.readFileSync(capsulePath).subarray(0, 500) });
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /^broken\.capsule: open: capsule: .*\(malformed\)$/);
    await page.setInputFiles('#wav-file', { name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('not audio') });
    await page.waitForFunction(() => /notes\.wav: not an audio file/.test(document.querySelector('#error').textContent));
    assert.match(await page.textContent('#capsule-info'), /^micro_speech/);
  });
});
