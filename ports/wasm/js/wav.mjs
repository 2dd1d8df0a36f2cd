// 16-bit PCM WAV files, exactly (no resampling, no float round trip): what
// the runtime consumes. Used by the node test and the browser page.
import { LocusError } from './locus.mjs';

// Parses RIFF/WAVE bytes with 16-bit integer PCM; several channels are
// averaged into one. Returns { sampleRate, channels, samples: Int16Array }.
export function parseWav(input, name = 'wav') {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new LocusError(`${name}: not a WAV file (no RIFF/WAVE header at byte 0)`);
  }
  let format = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length && id !== 'data') {
      throw new LocusError(`${name}: chunk '${id}' at byte ${at} runs past the end of the file`);
    }
    if (id === 'fmt ') {
      if (size < 16) throw new LocusError(`${name}: fmt chunk at byte ${at} is ${size} bytes, expected >= 16`);
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
      // WAVE_FORMAT_EXTENSIBLE carries the real format code in its sub-format GUID.
      if (format.code === 0xfffe && size >= 26) format.code = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      if (!format) throw new LocusError(`${name}: data chunk at byte ${at} comes before the fmt chunk`);
      if (format.code !== 1 || format.bits !== 16) {
        throw new LocusError(`${name}: sample format is ${format.bits}-bit` +
                             `${format.code === 3 ? ' float' : format.code === 1 ? ' PCM' : ` code ${format.code}`},` +
                             ' expected 16-bit PCM');
      }
      if (format.channels < 1) throw new LocusError(`${name}: fmt chunk says 0 channels`);
      const end = Math.min(body + size, bytes.length);  // tolerate a truncated last chunk
      const frames = Math.floor((end - body) / (2 * format.channels));
      const samples = new Int16Array(frames);
      for (let f = 0; f < frames; ++f) {
        let sum = 0;
        for (let c = 0; c < format.channels; ++c) sum += view.getInt16(body + 2 * (f * format.channels + c), true);
        samples[f] = Math.round(sum / format.channels);
      }
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    at = body + size + (size & 1);  // chunks are padded to even sizes
  }
  throw new LocusError(`${name}: no data chunk`);
}

// A mono 16-bit PCM WAV file.
export function encodeWav(samples, sampleRate) {
  if (!(samples instanceof Int16Array)) {
    throw new LocusError('encodeWav: samples must be an Int16Array');
  }
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const put = (at, text) => { for (let i = 0; i < 4; ++i) bytes[at + i] = text.charCodeAt(i); };
  put(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);               // PCM
  view.setUint16(22, 1, true);               // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);  // bytes per second
  view.setUint16(32, 2, true);               // bytes per frame
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; ++i) view.setInt16(44 + 2 * i, samples[i], true);
  return bytes;
}
