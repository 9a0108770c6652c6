import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nn, safetensors, tensor, Tensor } from "tensorgrad";

const enc = new TextEncoder();

/** A file built by hand from the format description: u64 LE header length, JSON header, data. */
function handBuilt(header: string, data: number[]): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
function f32le(...v: number[]): number[] {
  return [...new Uint8Array(Float32Array.from(v).buffer)];
}

describe("safetensors", () => {
  it("writes the reference serializer's bytes (one F32 tensor, header padded with spaces)", () => {
    const t = tensor([[[0, 1, 2], [3, 4, 5]]]);
    const bytes = safetensors.save({ "attn.0": t });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length % 8).toBe(0); // 64: no padding needed
    expect([...bytes]).toEqual([...handBuilt(header, f32le(0, 1, 2, 3, 4, 5))]);

    const b2 = safetensors.save({ attn0: tensor([[[[0, 1, 2], [3, 4, 5]]]]) });
    const h2 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(h2.length).toBe(65);
    expect([...b2]).toEqual([...handBuilt(h2 + " ".repeat(7), f32le(0, 1, 2, 3, 4, 5))]);
  });

  it("empty dicts and metadata", () => {
    expect([...safetensors.save({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...enc.encode("{}      ")]);
    const m = safetensors.save({}, { framework: "pt" });
    const h = '{"__metadata__":{"framework":"pt"}}';
    expect([...m]).toEqual([...handBuilt(h + " ".repeat(40 - h.length), [])]);
    expect(safetensors.loadMetadata(m)).toEqual({ framework: "pt" });
  });

  it("orders tensors by descending dtype alignment, then by name", () => {
    const sd = {
      b: tensor([1], { dtype: "float32" }),
      a: tensor([1], { dtype: "float32" }),
      mask: tensor([true]),
      h: tensor([1], { dtype: "float16" }),
      idx: tensor([1], { dtype: "int64" }),
      d: tensor([1], { dtype: "float64" }),
      i: tensor([1], { dtype: "int32" }),
      bf: tensor([1], { dtype: "bfloat16" }),
    };
    const bytes = safetensors.save(sd);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(Object.keys(header)).toEqual(["idx", "d", "a", "b", "i", "bf", "h", "mask"]);
    expect(header.idx.data_offsets).toEqual([0, 8]);
    expect(header.mask.data_offsets).toEqual([32, 33]); // 8 + 8 + 4 + 4 + 4 + 2 + 2
  });

  it("round-trips every dtype byte for byte", () => {
    const sd: Record<string, Tensor> = {
      f64: tensor([[1.5, -2.25e-300], [Math.PI, -0]], { dtype: "float64" }),
      f32: tensor([0.1, -3.4e38, 1e-45, Infinity]),
      f16: tensor([0.1, -65504, 6e-8, -Infinity, 1 / 3], { dtype: "float16" }),
      bf16: tensor([0.1, 3e38, -1e-30, 7], { dtype: "bfloat16" }),
      i64: tensor([0, -1, 2 ** 40, -(2 ** 52)], { dtype: "int64" }),
      i32: tensor([0, -1, 2 ** 31 - 1, -(2 ** 31)], { dtype: "int32" }),
      bool: tensor([[true, false, true]]),
      scalar: tensor(3.5),
      empty: tensor([], { dtype: "float32" }).reshape(0, 3),
    };
    const bytes = safetensors.save(sd, { format: "pt", note: "ünï" });
    const back = safetensors.load(bytes);
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(back[k]!.tolist()).toEqual(t.tolist());
    }
    expect([...safetensors.save(back, { format: "pt", note: "ünï" })]).toEqual([...bytes]);
  });

  it("loads a hand-built file with the right values", () => {
    const f16 = [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c, 0x01, 0x00]; // 1, -2, inf, 2^-24
    const bf16 = [0x80, 0x3f, 0x49, 0x40]; // 1.0, 3.140625
    const i64 = [...new Uint8Array(BigInt64Array.of(-5n, 1n << 50n).buffer)];
    const header =
      '{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},' +
      '"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2,2],"data_offsets":[24,32]},' +
      '"b":{"dtype":"BF16","shape":[2],"data_offsets":[32,36]},"m":{"dtype":"BOOL","shape":[],"data_offsets":[36,37]}}';
    const file = handBuilt(header, [...i64, ...f32le(0.5, -1.25), ...f16, ...bf16, 1]);
    const sd = safetensors.load(file);
    expect(Object.keys(sd)).toEqual(["ids", "w", "h", "b", "m"]);
    expect(sd.ids!.dtype).toBe("int64");
    expect(sd.ids!.tolist()).toEqual([-5, 2 ** 50]);
    expect(sd.w!.tolist()).toEqual([0.5, -1.25]);
    expect(sd.h!.dtype).toBe("float16");
    expect(sd.h!.tolist()).toEqual([[1, -2], [Infinity, 2 ** -24]]);
    expect(sd.b!.tolist()).toEqual([1, 3.140625]);
    expect(sd.m!.shape).toEqual([]);
    expect(sd.m!.item()).toBe(true);
  });

  it("rejects malformed files like the reference loader", () => {
    const ok = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const data = f32le(1, 2);
    expect(() => safetensors.load(new Uint8Array(4))).toThrow("HeaderTooSmall");
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => safetensors.load(big)).toThrow("HeaderTooLarge");
    const short = handBuilt(ok, data);
    new DataView(short.buffer).setBigUint64(0, 1000n, true);
    expect(() => safetensors.load(short)).toThrow("InvalidHeaderLength");
    expect(() => safetensors.load(handBuilt("[1,2]   ", []))).toThrow("InvalidHeaderStart");
    expect(() => safetensors.load(handBuilt("{nope}  ", []))).toThrow("InvalidHeaderDeserialization");
    expect(() => safetensors.load(handBuilt('{"w":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}', data))).toThrow('unknown dtype "Q7"');
    const overlap = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(() => safetensors.load(handBuilt(overlap, data))).toThrow('InvalidOffset("b")');
    const gap = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(() => safetensors.load(handBuilt(gap, data))).toThrow('InvalidOffset("a")');
    const wrongSize = '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}';
    expect(() => safetensors.load(handBuilt(wrongSize, data))).toThrow("TensorInvalidInfo");
    expect(() => safetensors.load(handBuilt(ok, [...data, 0]))).toThrow("MetadataIncompleteBuffer");
    const outOfRange = '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}';
    expect(() => safetensors.load(handBuilt(outOfRange, data))).toThrow("MetadataIncompleteBuffer");
    expect(() => safetensors.load(handBuilt('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [7]))).toThrow("not supported");
  });

  it("saveFile / loadFile round-trip a module's state dict", async () => {
    class Net extends nn.Module {
      fc = new nn.Parameter(tensor([[1, 2], [3, 4]]));
      constructor() {
        super();
        this.registerBuffer("running", tensor([0.5, 0.25], { dtype: "float64" }));
      }
    }
    const net = new Net();
    const dir = mkdtempSync(join(tmpdir(), "tg-st-"));
    const path = join(dir, "model.safetensors");
    await safetensors.saveFile(net.stateDict(), path, { framework: "tensorgrad" });
    const sd = await safetensors.loadFile(path);
    expect(sd.fc!.tolist()).toEqual([[1, 2], [3, 4]]);
    const other = new Net();
    other.fc.requiresGrad_(false);
    other.loadStateDict(sd);
    expect(other.getBuffer("running").tolist()).toEqual([0.5, 0.25]);
    await safetensors.saveFile(join(dir, "b.safetensors"), sd);
    expect(Object.keys(await safetensors.loadFile(join(dir, "b.safetensors")))).toEqual(["running", "fc"]);
  });
});
