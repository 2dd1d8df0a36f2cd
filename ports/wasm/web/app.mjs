// The browser page: opens a capsule with the WebAssembly runtime and runs it
// on the microphone (live) or on a WAV file, showing scores and events.
import { LocusError, loadLocus, pcm16FromFloat32 } from '/js/locus.mjs';
import { parseWav } from '/js/wav.mjs';

const $ = (id) => document.getElementById(id);
let locus = null;
let capsule = null;
let mic = null;   // { stream, context, node, resampler }
let rows = [];    // per label: { row, fill, tick, value }
let run = 0;      // bumps on every new input, so an old WAV loop stops

function setState(state, text) {
  document.body.dataset.state = state;
  $('status').textContent = text;
}

function showError(error) {
  $('error').textContent = error instanceof LocusError ? error.message : `${error?.message ?? error}`;
  $('error').hidden = false;
}

function clearOutputs() {
  $('error').hidden = true;
  $('events').replaceChildren();
  $('detected').textContent = '–';
  for (const r of rows) showRow(r, 0, 0, false);
}

function showRow(r, average, instant, top) {
  r.fill.style.width = `${Math.max(0, Math.min(1, average)) * 100}%`;
  r.tick.style.left = `${Math.max(0, Math.min(1, instant)) * 100}%`;
  r.value.textContent = average.toFixed(2);
  r.row.classList.toggle('top', top);
}

function buildScores(labels) {
  const body = $('scores').tBodies[0];
  body.replaceChildren();
  rows = labels.map((label) => {
    const row = body.insertRow();
    row.dataset.label = label;
    row.insertCell().textContent = label;
    row.cells[0].className = 'label';
    const bar = row.insertCell().appendChild(document.createElement('div'));
    bar.className = 'bar';
    const fill = bar.appendChild(document.createElement('div'));
    fill.className = 'fill';
    const tick = bar.appendChild(document.createElement('div'));
    tick.className = 'tick';
    const value = row.insertCell();
    value.className = 'value';
    return { row, fill, tick, value };
  });
}

// One inference: bars from the averaged and latest scores; an event becomes
// the detected word and a line in the event list.
function showResult(r) {
  rows.forEach((row, i) => showRow(row, r.average[i] ?? 0, r.scores[i] ?? 0, i === r.topLabel));
  if (!r.event) return;
  const label = capsule.info.anomaly ? 'anomaly' : r.label;
  $('detected').textContent = label;
  const item = document.createElement('li');
  item.dataset.label = label;
  item.dataset.timestampMs = String(r.timestampMs);
  item.textContent = `${(r.timestampMs / 1000).toFixed(2)} s  ${label}  ` +
                     `${(capsule.info.anomaly ? r.anomalyScore : r.topAverage).toFixed(2)}`;
  $('events').append(item);
}

function push(samples) {
  try {
    capsule.push(samples).forEach(showResult);
  } catch (error) {
    stopMic();
    showError(error);
    setState('error', 'Stopped: the runtime refused the samples.');
  }
}

function openCapsule(bytes, name) {
  let next;
  try {
    next = locus.open(bytes);
  } catch (error) {
    showError(new LocusError(`${name}: ${error.message}`, error.code));
    setState(capsule ? 'ready' : 'no-capsule', capsule ? 'Kept the previous capsule.' : 'Choose a capsule.');
    return;
  }
  stopMic();
  capsule?.close();
  capsule = next;
  const i = capsule.info;
  $('capsule-info').textContent =
    `${i.name} ${i.version}: ${i.streaming ? `${i.dsp} at ${i.sample_rate_hz} Hz, ` : 'model only, '}` +
    `${i.labels.length} labels, ${i.memory_bytes} bytes of memory (arena ${i.arena_bytes}); ` +
    'verified and self-tested.';
  buildScores(i.labels);
  clearOutputs();
  const audio = i.streaming && i.sensor === 'Audio';
  $('mic-start').disabled = !audio;
  $('wav-file').disabled = !audio;
  setState('ready', audio ? 'Ready: start the microphone or choose a WAV file.'
                          : 'This capsule does not take audio; the page runs audio capsules.');
}

// A linear-interpolation resampler, only for browsers that cannot run an
// AudioContext at the capsule's rate on a microphone stream.
class Resampler {
  constructor(from, to) {
    this.step = from / to;
    this.t = 0;
    this.last = 0;
  }
  // x[-1] is the previous block's last sample; t is the next output's
  // position in input samples, carried across blocks.
  process(input) {
    const at = (i) => (i < 0 ? this.last : input[i]);
    const out = [];
    for (; this.t <= input.length - 1; this.t += this.step) {
      const i = Math.floor(this.t);
      const f = this.t - i;
      out.push(f === 0 ? at(i) : at(i) + (at(i + 1) - at(i)) * f);
    }
    this.t -= input.length;
    this.last = input[input.length - 1];
    return Float32Array.from(out);
  }
}

async function startMic() {
  const rate = capsule.info.sample_rate_hz;
  ++run;
  stopMic();
  clearOutputs();
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    let context;
    let resampler = null;
    try {
      context = new AudioContext({ sampleRate: rate });  // the browser resamples
      context.createMediaStreamSource(stream).disconnect();
    } catch {
      context?.close();
      context = new AudioContext();
      resampler = new Resampler(context.sampleRate, rate);
    }
    await context.audioWorklet.addModule('/web/capture-worklet.js');
    const node = new AudioWorkletNode(context, 'locus-capture');
    node.port.onmessage = (e) => push(pcm16FromFloat32(resampler ? resampler.process(e.data) : e.data));
    context.createMediaStreamSource(stream).connect(node);
    node.connect(context.destination);  // keeps the node pulled; it outputs silence
    await context.resume();
    capsule.reset();
    mic = { stream, context, node };
    $('mic-stop').disabled = false;
    setState('listening', `Listening (${context.sampleRate} Hz${resampler ? `, resampled to ${rate}` : ''})…`);
  } catch (error) {
    showError(error);
    setState('ready', 'The microphone could not be opened.');
  }
}

function stopMic() {
  if (!mic) return;
  mic.node.port.onmessage = null;
  mic.stream.getTracks().forEach((t) => t.stop());
  mic.context.close();
  mic = null;
  $('mic-stop').disabled = true;
  setState('ready', 'Stopped.');
}

// Exact 16-bit PCM at the capsule's rate is used as is; anything else the
// browser can decode is resampled to the capsule's rate and mixed to mono.
async function wavSamples(file, rate) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const wav = parseWav(bytes, file.name);
    if (wav.sampleRate === rate) return wav.samples;
  } catch { /* not 16-bit PCM: let the browser decode it */ }
  let buffer;
  try {
    buffer = await new OfflineAudioContext(1, 1, rate).decodeAudioData(bytes.buffer.slice(0));
  } catch (error) {
    throw new LocusError(`${file.name}: not an audio file the browser can decode (${error.message})`);
  }
  const mono = new Float32Array(buffer.length);
  for (let c = 0; c < buffer.numberOfChannels; ++c) {
    buffer.getChannelData(c).forEach((x, i) => { mono[i] += x / buffer.numberOfChannels; });
  }
  return pcm16FromFloat32(mono);
}

async function classifyFile(file) {
  const mine = ++run;
  stopMic();
  clearOutputs();
  const rate = capsule.info.sample_rate_hz;
  setState('busy', `Classifying ${file.name}…`);
  try {
    const samples = await wavSamples(file, rate);
    capsule.reset();
    // About 12x real time, one chunk per animation frame, so the bars move.
    const chunk = Math.round(rate / 5);
    for (let at = 0; at < samples.length && mine === run; at += chunk) {
      push(samples.subarray(at, at + chunk));
      await new Promise((done) => requestAnimationFrame(done));
    }
    if (mine !== run) return;
    const events = [...$('events').children].map((li) => li.dataset.label);
    setState('done', `${file.name}: ${(samples.length / rate).toFixed(2)} s, ` +
                     `events: ${events.length ? events.join(', ') : 'none'}.`);
  } catch (error) {
    showError(error);
    setState('ready', `Could not classify ${file.name}.`);
  }
}

async function main() {
  $('capsule-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) openCapsule(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $('mic-start').addEventListener('click', startMic);
  $('mic-stop').addEventListener('click', stopMic);
  $('wav-file').addEventListener('change', (e) => {
    if (e.target.files[0]) classifyFile(e.target.files[0]);
  });
  try {
    locus = await loadLocus({ moduleUrl: '/build/locus_runtime.mjs' });
  } catch (error) {
    showError(error);
    setState('error', 'The WebAssembly runtime could not be loaded.');
    return;
  }
  // A capsule named in the URL (?capsule=...), else the one the server offers.
  const url = new URLSearchParams(location.search).get('capsule') ?? '/capsule';
  const response = await fetch(url).catch(() => null);
  if (response?.ok) {
    openCapsule(new Uint8Array(await response.arrayBuffer()), url);
  } else {
    setState('no-capsule', 'Choose a capsule.');
  }
}

main();
