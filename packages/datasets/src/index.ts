// Small datasets for examples and tests, usable in Node and in browsers.
import { DIGITS_GZ_BASE64 } from "./generated/digits-data.js";

export interface Digits {
  /** 1797 × 64 pixel values in 0..16, row-major. */
  images: Float32Array;
  /** 1797 labels in 0..9. */
  labels: Int32Array;
  count: number;
}

function base64ToBytes(b64: string): Uint8Array {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(b64, "base64"));
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/** The UCI 8×8 handwritten digits (as in scikit-learn's `load_digits`). */
export async function loadDigits(): Promise<Digits> {
  const csv = await gunzip(base64ToBytes(DIGITS_GZ_BASE64));
  const rows = csv.trim().split("\n");
  const images = new Float32Array(rows.length * 64);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const v = row.split(",").map(Number);
    if (v.length !== 65) throw new Error(`digits: row ${i} has ${v.length} values, expected 65`);
    images.set(v.slice(0, 64), i * 64);
    labels[i] = v[64]!;
  });
  return { images, labels, count: rows.length };
}

/** A deterministic permutation of 0..n-1 (xorshift32 Fisher-Yates), for train/test splits. */
export function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = (seed >>> 0) || 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export interface Spirals {
  /** n × 2 points. */
  points: Float32Array;
  labels: Int32Array;
  count: number;
}

/** `classes` interleaved 2-D spirals with `perClass` points each and a little deterministic noise. */
export function spirals(perClass = 100, classes = 3, seed = 0): Spirals {
  const n = perClass * classes;
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  let s = (seed >>> 0) + 1;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const r = i / perClass;
      const t = (c * 4 + 4 * r) + (rnd() - 0.5) * 0.4;
      const k = c * perClass + i;
      points[2 * k] = r * Math.sin(t);
      points[2 * k + 1] = r * Math.cos(t);
      labels[k] = c;
    }
  }
  return { points, labels, count: n };
}
