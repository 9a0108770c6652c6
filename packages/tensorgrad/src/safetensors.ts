// safetensors: save/load state dicts in the format of Hugging Face's `safetensors` library,
// byte for byte as its serializer writes them: an 8-byte little-endian header length N, N
// bytes of compact JSON (`__metadata__` first, then the tensors sorted by descending dtype
// alignment and then by name, each `{"dtype","shape","data_offsets"}`) padded with spaces to a
// multiple of 8, then the tensors' little-endian data back to back in that order.
import { Tensor, type DType } from "./tensor.js";
import { tensor } from "./creation.js";

/** The safetensors dtype names this library reads and writes. */
export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "BOOL";

const TO_ST: Record<DType, SafetensorsDtype> = {
  float64: "F64",
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
  int64: "I64",
  int32: "I32",
  bool: "BOOL",
};
const FROM_ST: Record<SafetensorsDtype, DType> = {
  F64: "float64",
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  BOOL: "bool",
};
/** The element size of every dtype the format defines (for validating files with others). */
const SIZES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};
/** The Rust `Dtype` enum's order (the serializer sorts by it, descending). */
const ORDER: Record<SafetensorsDtype, number> = { BOOL: 0, F16: 7, BF16: 8, I32: 9, F32: 11, F64: 12, I64: 13 };

const MAX_HEADER_SIZE = 100_000_000;

export type StateDictLike = Record<string, Tensor> | Map<string, Tensor>;

function entriesOf(sd: StateDictLike): [string, Tensor][] {
  return sd instanceof Map ? [...sd.entries()] : Object.entries(sd);
}

const utf8 = new TextEncoder();

/** Rust's `String` order: bytewise over UTF-8. */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE half bits of `v` (round to nearest even; exact for values that are halfs already). */
function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24
    const m = roundHalfEven(a * 2 ** 24);
    return sign | m;
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e += 1;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 bits of a value that is a bfloat16 (the top half of its float32 bits). */
function bf16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7fc0;
  f32buf[0] = v;
  return u32buf[0]! >>> 16;
}

function bf16Value(b: number): number {
  u32buf[0] = b << 16;
  return f32buf[0]!;
}

function tensorBytes(t: Tensor): Uint8Array {
  const n = t.numel();
  const dt = t.dtype;
  switch (dt) {
    case "float32": {
      const a = Float32Array.from(t.contiguous()._raw.toF32());
      return littleEndian(new Uint8Array(a.buffer), 4);
    }
    case "float64": {
      const a = Float64Array.from(t.contiguous()._raw.toF64());
      return littleEndian(new Uint8Array(a.buffer), 8);
    }
    case "float16":
    case "bfloat16": {
      const v = t._raw.toF64();
      const out = new Uint8Array(2 * n);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, dt === "float16" ? halfBits(v[i]!) : bf16Bits(v[i]!), true);
      return out;
    }
    case "int64": {
      const v = t._raw.toF64();
      const out = new Uint8Array(8 * n);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) dv.setBigInt64(8 * i, BigInt(v[i]!), true);
      return out;
    }
    case "int32": {
      const v = t._raw.toF64();
      const out = new Uint8Array(4 * n);
      const dv = new DataView(out.buffer);
      for (let i = 0; i < n; i++) dv.setInt32(4 * i, v[i]!, true);
      return out;
    }
    case "bool": {
      const v = t._raw.toF64();
      return Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
    }
  }
}

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function littleEndian(b: Uint8Array, size: number): Uint8Array {
  if (LITTLE) return b;
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += size) for (let j = 0; j < size; j++) out[i + j] = b[i + size - 1 - j]!;
  return out;
}

/**
 * Serialize tensors (a state dict) to the safetensors format, as the reference serializer
 * does. `metadata` is a string-to-string map stored under `__metadata__` (keys sorted).
 */
export function save(tensors: StateDictLike, metadata?: Record<string, string> | null): Uint8Array {
  const items = entriesOf(tensors).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new TypeError(`Key \`${name}\` is invalid, expected Tensor but received ${typeof t}`);
    return { name, t, dtype: TO_ST[t.dtype] };
  });
  items.sort((a, b) => ORDER[b.dtype] - ORDER[a.dtype] || compareUtf8(a.name, b.name));
  const datas: Uint8Array[] = [];
  let offset = 0;
  const entries: [string, unknown][] = [];
  if (metadata) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort(compareUtf8)) {
      const v = metadata[k];
      if (typeof v !== "string") throw new TypeError(`metadata values must be strings, got ${typeof v} for key "${k}"`);
      meta[k] = v;
    }
    entries.push(["__metadata__", meta]);
  }
  for (const { name, t, dtype } of items) {
    const bytes = tensorBytes(t);
    datas.push(bytes);
    entries.push([name, { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] }]);
    offset += bytes.length;
  }
  // JSON objects keep insertion order except for integer-like keys, so build the text by hand.
  const json = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
  let hb = utf8.encode(json);
  const extra = (8 - (hb.length % 8)) % 8;
  if (extra) {
    const padded = new Uint8Array(hb.length + extra).fill(0x20);
    padded.set(hb);
    hb = padded;
  }
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let pos = 8 + hb.length;
  for (const d of datas) {
    out.set(d, pos);
    pos += d.length;
  }
  return out;
}

function fail(what: string): never {
  throw new Error(`Error while deserializing header: ${what}`);
}

interface Info {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse and validate the header: the tensors by offset, the metadata, and where the data starts. */
export function readHeader(bytes: Uint8Array): { tensors: Info[]; metadata: Record<string, string> | null; dataStart: number } {
  if (bytes.length < 8) fail("HeaderTooSmall");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) fail("HeaderTooLarge");
  const n = Number(n64);
  if (8 + n > bytes.length) fail("InvalidHeaderLength");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail("InvalidHeader");
  }
  if (!text.startsWith("{")) fail("InvalidHeaderStart");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail("InvalidHeaderDeserialization");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("InvalidHeaderDeserialization");
  let metadata: Record<string, string> | null = null;
  const infos: Info[] = [];
  for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof v !== "object" || v === null || Object.values(v).some((x) => typeof x !== "string")) {
        fail("InvalidHeaderDeserialization");
      }
      metadata = v as Record<string, string>;
      continue;
    }
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== "object" || info === null) fail("InvalidHeaderDeserialization");
    if (typeof info.dtype !== "string") fail("InvalidHeaderDeserialization");
    if (!(info.dtype in SIZES)) fail(`unknown dtype "${info.dtype}" for tensor "${name}"`);
    const shape = info.shape;
    const offs = info.data_offsets;
    const isUint = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 0;
    if (!Array.isArray(shape) || !shape.every(isUint)) fail("InvalidHeaderDeserialization");
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isUint)) fail("InvalidHeaderDeserialization");
    infos.push({ name, dtype: info.dtype, shape: shape as number[], begin: offs[0] as number, end: offs[1] as number });
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let start = 0;
  for (const t of infos) {
    if (t.begin !== start || t.end < t.begin) fail(`InvalidOffset("${t.name}")`);
    start = t.end;
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(numel * SIZES[t.dtype]!)) fail("ValidationOverflow");
    if (t.end - t.begin !== numel * SIZES[t.dtype]!) fail(`TensorInvalidInfo("${t.name}")`);
  }
  if (start + 8 + n !== bytes.length) fail("MetadataIncompleteBuffer");
  return { tensors: infos, metadata, dataStart: 8 + n };
}

function decode(bytes: Uint8Array, info: Info, dataStart: number): Tensor {
  const dt = FROM_ST[info.dtype as SafetensorsDtype];
  if (!dt) throw new Error(`safetensors dtype ${info.dtype} (tensor "${info.name}") is not supported by tensorgrad`);
  const off = dataStart + info.begin;
  const len = info.end - info.begin;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + off, len);
  const size = SIZES[info.dtype]!;
  const n = len / size;
  let t: Tensor;
  if (dt === "float32") {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = dv.getFloat32(4 * i, true);
    t = tensor(a, { dtype: "float32" });
  } else {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      switch (info.dtype) {
        case "F64":
          a[i] = dv.getFloat64(8 * i, true);
          break;
        case "F16":
          a[i] = halfValue(dv.getUint16(2 * i, true));
          break;
        case "BF16":
          a[i] = bf16Value(dv.getUint16(2 * i, true));
          break;
        case "I64":
          a[i] = Number(dv.getBigInt64(8 * i, true));
          break;
        case "I32":
          a[i] = dv.getInt32(4 * i, true);
          break;
        case "BOOL": {
          const b = dv.getUint8(i);
          if (b > 1) throw new Error(`invalid bool value ${b} in tensor "${info.name}"`);
          a[i] = b;
          break;
        }
      }
    }
    t = tensor(a, { dtype: dt });
  }
  return t.reshape(info.shape);
}

/** Parse safetensors bytes into name -> Tensor (in file order), validating the header like the reference loader. */
export function load(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { tensors, dataStart } = readHeader(b);
  const out: Record<string, Tensor> = {};
  for (const info of tensors) out[info.name] = decode(b, info, dataStart);
  return out;
}

/** The `__metadata__` map of safetensors bytes, or null. */
export function loadMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> | null {
  return readHeader(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).metadata;
}

async function nodeFs(): Promise<typeof import("node:fs/promises")> {
  // Hidden from bundlers: only used in Node.
  const fsName = "node:fs/promises";
  return (await import(/* @vite-ignore */ fsName)) as typeof import("node:fs/promises");
}

/**
 * Write tensors to a file (Node). Takes the Python library's order `(tensors, filename,
 * metadata)`; `(filename, tensors, metadata)` works too.
 */
export async function saveFile(
  a: StateDictLike | string,
  b: StateDictLike | string,
  metadata?: Record<string, string> | null,
): Promise<void> {
  const [sd, path] = typeof a === "string" ? [b as StateDictLike, a] : [a, b as string];
  const fs = await nodeFs();
  await fs.writeFile(path, save(sd, metadata));
}

/** Read a safetensors file (Node) into name -> Tensor. */
export async function loadFile(path: string): Promise<Record<string, Tensor>> {
  const fs = await nodeFs();
  const buf = await fs.readFile(path);
  return load(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}

/** The `safetensors` format: `save`/`load` on bytes, `saveFile`/`loadFile` in Node. */
export const safetensors = { save, load, saveFile, loadFile, loadMetadata };
