// The shared control array of the matmul thread pool (threads.ts, threads-worker.ts): Int32
// indices. One job at a time; every thread claims chunks of it through the NEXT counter.

/** Job/command number: workers Atomics.wait on it, the caller bumps it and notifies. */
export const SEQ = 0;
/** What SEQ announces: CMD_JOB, CMD_MESSAGE (go back to the event loop: a message waits), CMD_EXIT. */
export const CMD = 1;
/** Claims: (tag << IDX_BITS) | next chunk index; a claim is a compareExchange that keeps the tag. */
export const NEXT = 2;
export const NCHUNK = 3;
/** The data buffer generation the job's operands are in (a worker without it sits the job out). */
export const JOB_GEN = 4;
/** Test hook: 1 = a worker's chunk throws, 2 = a worker claims a chunk and never finishes it. */
export const FAULT = 5;
/** Job parameters: split (0 rows, 1 cols), m, n, k, transA, transB, aShift, bShift, cShift. */
export const PARAMS = 8;
/** Chunk c covers rows (or columns) [BOUNDS[c], BOUNDS[c + 1]) of C. */
export const BOUNDS = 24;
export const MAX_CHUNKS = 64;
/** Per chunk: the job's tag once a worker has written it, minus the tag if it failed. */
export const CDONE = BOUNDS + MAX_CHUNKS + 1;
/** Per worker, WSLOT Int32s from WORKERS + w·WSLOT: READY (1 up, -1 failed), GEN (data buffer held). */
export const WORKERS = CDONE + MAX_CHUNKS;
export const WSLOT = 4;
export const READY = 0;
export const GEN = 1;

export const CMD_JOB = 1;
export const CMD_MESSAGE = 2;
export const CMD_EXIT = 3;

export const IDX_BITS = 10;
/** Tags are job numbers modulo 2^21 (never 0), so a late claim on a finished job fails. */
export const TAG_MASK = (1 << 21) - 1;

export function ctrlInts(workers: number): number {
  return WORKERS + WSLOT * workers;
}

/** Claim the next chunk of the job tagged `tag`: its index, or -1 when none is left. */
export function claim(ctrl: Int32Array, tag: number): number {
  const n = ctrl[NCHUNK]!;
  for (;;) {
    const cur = Atomics.load(ctrl, NEXT);
    if (cur >>> IDX_BITS !== tag) return -1;
    const idx = cur & ((1 << IDX_BITS) - 1);
    if (idx >= n) return -1;
    if (Atomics.compareExchange(ctrl, NEXT, cur, cur + 1) === cur) return idx;
  }
}
