import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamingResampler } from './resampler';

/** SINAD of a sine of known frequency: fit a·sin + b·cos + c by least squares; the residual is noise+distortion. */
function sinadDb(x: Float32Array, rate: number, freq: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const m = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const v = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const basis = [Math.sin(w * i), Math.cos(w * i), 1];
    for (let r = 0; r < 3; r++) {
      v[r] += basis[r] * x[i];
      for (let c = 0; c < 3; c++) m[r][c] += basis[r] * basis[c];
    }
  }
  // Solve the 3x3 normal equations by Gaussian elimination.
  for (let p = 0; p < 3; p++) {
    for (let r = p + 1; r < 3; r++) {
      const f = m[r][p] / m[p][p];
      for (let c = p; c < 3; c++) m[r][c] -= f * m[p][c];
      v[r] -= f * v[p];
    }
  }
  const k = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = v[r];
    for (let c = r + 1; c < 3; c++) s -= m[r][c] * k[c];
    k[r] = s / m[r][r];
  }
  let sig = 0;
  let err = 0;
  for (let i = 0; i < x.length; i++) {
    const fit = k[0] * Math.sin(w * i) + k[1] * Math.cos(w * i) + k[2];
    sig += fit * fit;
    err += (x[i] - fit) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

async function resampleStreaming(
  input: Float32Array,
  channels: number,
  inRate: number,
  outRate: number,
  quality: number,
): Promise<Float32Array> {
  const rs = await StreamingResampler.create({ channels, inRate, outRate, quality });
  const parts: Float32Array[] = [];
  const sizes = [441, 1, 1000, 37, 4410];
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = sizes[k % sizes.length] * channels;
    parts.push(rs.process(input.subarray(i, i + n)));
    i += n;
  }
  parts.push(rs.flush());
  rs.destroy();
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

test('1 kHz sine 44.1k -> 48k: SINAD >= 90 dB, exact length, time-aligned', async () => {
  const n = 44100 * 2;
  const input = new Float32Array(n);
  for (let i = 0; i < n; i++) input[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 44100);
  const out = await resampleStreaming(input, 1, 44100, 48000, 6);
  assert.equal(out.length, 96000);
  const middle = out.subarray(4800, 96000 - 4800);
  const sinad = sinadDb(middle, 48000, 1000);
  assert.ok(sinad >= 90, `SINAD ${sinad.toFixed(1)} dB`);
  // Aligned: the output at t matches sin(2π·1000·t) (no filter delay left in).
  let err = 0;
  for (let i = 4800; i < 4900; i++)
    err = Math.max(err, Math.abs(out[i] - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000)));
  assert.ok(err < 1e-3, `alignment error ${err}`);
});

test('stereo 48k -> 16k keeps channels apart and rejects content above the new Nyquist', async () => {
  const n = 48000;
  const input = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    input[2 * i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000);
    input[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 12000 * i) / 48000);
  }
  const out = await resampleStreaming(input, 2, 48000, 16000, 6);
  assert.equal(out.length, 16000 * 2);
  let left = 0;
  let right = 0;
  for (let i = 1600; i < 14400; i++) {
    left = Math.max(left, Math.abs(out[2 * i]));
    right = Math.max(right, Math.abs(out[2 * i + 1]));
  }
  assert.ok(Math.abs(left - 0.5) < 0.01, `left peak ${left}`);
  assert.ok(right < 1e-3, `12 kHz must be filtered out, got peak ${right}`);
});
