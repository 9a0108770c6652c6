#!/usr/bin/env bash
# Builds crates/tensorgrad-wasm into crates/tensorgrad-wasm/pkg/ (ES module, `--target web`):
#   cargo (release, wasm32 + simd128) -> wasm-pack/wasm-bindgen (--weak-refs) -> wasm-opt -O3 (npm binaryen)
# Incremental: when cargo's .wasm is byte-identical to the one pkg/ was made from, wasm-bindgen
# and wasm-opt are skipped. Uses the toolchain recorded by scripts/bootstrap.sh in .toolchain/env.
# Runnable from any directory (turbo runs it from the crate directory).
#
#   TG_WASM_FORCE=1   rebuild pkg/ even when nothing changed
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
cd "$ROOT"

CRATE_DIR=crates/tensorgrad-wasm
NAME=tensorgrad_wasm
TARGET=wasm32-unknown-unknown
PKG="$CRATE_DIR/pkg"
STAMP="$PKG/.tensorgrad-build-stamp"

log() { printf '[build-wasm] %s\n' "$*" >&2; }
die() { printf '[build-wasm] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s%N; }
T0="$(now)"

[ -f .toolchain/env ] || die ".toolchain/env is missing: run 'bash scripts/bootstrap.sh' (or 'npm run bootstrap') first."
# shellcheck disable=SC1091
. .toolchain/env

command -v wasm-pack >/dev/null 2>&1 || die "wasm-pack not found on PATH; run 'bash scripts/bootstrap.sh'."
command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found on PATH; run 'bash scripts/bootstrap.sh'."
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || die "$WASM_OPT not found (npm package 'binaryen'); run 'bash scripts/bootstrap.sh'."

# Features rustc's wasm32 output may use (rustc >= 1.87 defaults + simd128 from .cargo/config.toml).
# wasm-opt must be told, otherwise it rejects them; nothing beyond what the input already uses is enabled.
#
# --low-memory-unused lets wasm-opt fold `i32.add x, C` (C < 1024) into a load's offset field,
# which LLVM leaves as separate adds; V8 then folds the offset into the x86 addressing mode
# instead of emitting an `lea` per access (~15% on the GEMM micro-kernel). It assumes addresses
# 0..1023 are never accessed: rustc's wasm32 layout puts the 1 MiB shadow stack first, growing
# down from 1 MiB, with data and heap above it, so only a stack overflow could reach them.
#
# --no-inline='*tensorgrad_core*kernels*' (before -O3: wasm-opt runs its arguments in order)
# keeps the CPU kernels (crates/tensorgrad-core/src/kernels/, out of line in LLVM's output too)
# out of line. wasm-opt otherwise inlines every single-caller function, folding a kernel's loop
# into a 100+ KB caller where V8's register allocator spills the loop's accumulators, pointers
# and counters on every iteration (-30% on matmul, up to 2x on elementwise loops).
WASM_OPT_FLAGS=(
  --no-inline='*tensorgrad_core*kernels*'
  -O3
  --low-memory-unused
  --enable-simd
  --enable-bulk-memory
  --enable-bulk-memory-opt
  --enable-nontrapping-float-to-int
  --enable-sign-ext
  --enable-mutable-globals
  --enable-reference-types
  --enable-multivalue
  --enable-call-indirect-overlong
)

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
RAW_WASM="$TARGET_DIR/$TARGET/release/$NAME.wasm"

# 1. cargo build, exactly as wasm-pack invokes it (so wasm-pack's own cargo run below is a no-op).
log "cargo build --release --target $TARGET ($TG_TOOLCHAIN: $(rustc --version))"
( cd "$CRATE_DIR" && cargo build --lib --release --target "$TARGET" )
[ -f "$RAW_WASM" ] || die "cargo did not produce $RAW_WASM"

# 2. Up to date?
KEY="$(
  {
    sha256sum "$RAW_WASM" | cut -d' ' -f1
    wasm-bindgen --version
    wasm-pack --version
    "$WASM_OPT" --version
    echo "${WASM_OPT_FLAGS[*]}"
    sha256sum "$SELF" | cut -d' ' -f1
  } | sha256sum | cut -d' ' -f1
)"
OUTPUTS=("$PKG/$NAME.js" "$PKG/${NAME}_bg.wasm" "$PKG/$NAME.d.ts")
up_to_date() {
  [ "${TG_WASM_FORCE:-0}" != 1 ] || return 1
  [ -f "$STAMP" ] || return 1
  local f; for f in "${OUTPUTS[@]}"; do [ -f "$f" ] || return 1; done
  [ "$(sed -n 1p "$STAMP")" = "$KEY" ] || return 1
  [ "$(sed -n 2p "$STAMP")" = "$(sha256sum "$PKG/${NAME}_bg.wasm" | cut -d' ' -f1)" ]
}

size_line() {
  local f="$PKG/${NAME}_bg.wasm" bytes gz
  bytes="$(stat -c %s "$f")"
  gz="$(gzip -9 -c "$f" | wc -c)"
  echo "$f: $bytes bytes ($((bytes / 1024)) KiB; gzip -9: $((gz / 1024)) KiB)"
}

if up_to_date; then
  log "wasm unchanged; pkg/ is up to date (wasm-bindgen/wasm-opt skipped)"
  log "$(size_line)"
  log "done in $(( ($(now) - T0) / 1000000 )) ms"
  exit 0
fi

# 3. wasm-bindgen via wasm-pack. --mode no-install: use the wasm-bindgen on PATH, never download.
#    --no-opt: wasm-pack's wasm-opt would be downloaded; we run npm's binaryen below instead.
rm -f "$STAMP"
log "wasm-pack build --target web --weak-refs"
wasm-pack --log-level warn build "$CRATE_DIR" --release --target web --out-dir pkg \
  --weak-refs --mode no-install --no-opt
for f in "${OUTPUTS[@]}"; do [ -f "$f" ] || die "wasm-pack did not produce $f"; done

# 4. wasm-opt -O3 (in place, via a temporary file).
BEFORE="$(stat -c %s "$PKG/${NAME}_bg.wasm")"
log "wasm-opt -O3 ($((BEFORE / 1024)) KiB in)"
"$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$PKG/${NAME}_bg.wasm" -o "$PKG/${NAME}_bg.opt.wasm"
mv -f "$PKG/${NAME}_bg.opt.wasm" "$PKG/${NAME}_bg.wasm"

printf '%s\n%s\n' "$KEY" "$(sha256sum "$PKG/${NAME}_bg.wasm" | cut -d' ' -f1)" >"$STAMP"
log "$(size_line)"
log "done in $(( ($(now) - T0) / 1000000 )) ms"
