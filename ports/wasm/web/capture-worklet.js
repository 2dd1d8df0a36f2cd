// Audio worklet: hands the microphone's samples (mono, the context's rate)
// to the page in blocks of 1024, so the page pushes ~16 times a second
// instead of once per 128-sample render quantum.
class LocusCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(1024);
    this.fill = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true;
    const n = channels[0].length;
    for (let i = 0; i < n; ++i) {
      let sum = 0;
      for (const c of channels) sum += c[i];
      this.block[this.fill++] = sum / channels.length;
      if (this.fill === this.block.length) {
        this.port.postMessage(this.block.slice());
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('locus-capture', LocusCapture);
