#!/usr/bin/env bash
# `npm start`: install what is missing, build the CLI and what it depends on, run the seed example.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1

bash scripts/bootstrap.sh

TURBO_ARGS=(--env-mode=loose)
# A fresh CI clone has no cache; --force never reads one, so a run can't pass on stale outputs.
if [ "${CI:-}" = true ]; then TURBO_ARGS+=(--force --cache-dir="$ROOT/.turbo/cache"); fi

npx --no-install turbo run build --filter='tensorgrad-cli...' "${TURBO_ARGS[@]}"
node apps/cli/bin/tensorgrad.js run examples/seed.mjs
