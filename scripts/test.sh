#!/usr/bin/env bash
# `npm test`: install what is missing (chromium included), build everything, run the Rust
# tests with the host toolchain, then every workspace's vitest suite (playground e2e included).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1

bash scripts/bootstrap.sh --test

TURBO_ARGS=(--env-mode=loose)
# A fresh CI clone has no cache; --force never reads one, so a run can't pass on stale outputs.
if [ "${CI:-}" = true ]; then TURBO_ARGS+=(--force --cache-dir="$ROOT/.turbo/cache"); fi

npx --no-install turbo run build "${TURBO_ARGS[@]}"

# Host toolchain: rustup's cargo when present, else Debian's (not .toolchain/env: that is for wasm32).
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
if [ -x "$CARGO_BIN/cargo" ]; then HOST_CARGO="$CARGO_BIN/cargo"; else HOST_CARGO="$(command -v cargo)"; fi
echo "[test] $HOST_CARGO test --workspace"
"$HOST_CARGO" test --workspace

npx --no-install turbo run test "${TURBO_ARGS[@]}"
