#!/usr/bin/env bash
# Installs what a bare Debian 12 machine lacks to build and test tensorgrad.
# Idempotent; when everything is present it finishes in about a second.
#
#   bash scripts/bootstrap.sh          # toolchain + npm dependencies
#   bash scripts/bootstrap.sh --test   # ... + Debian chromium for the playground's e2e test
#   bash scripts/bootstrap.sh --gl     # ... + headless-gl (gpu.js's optional native `gl` module),
#                                      #     built once with node-gyp (~5 min) into the cache, and
#                                      #     xvfb: tensorgrad-gpu's tests then also run in headlessgl
#                                      #     mode (TG_HEADLESS_GL=1 does the same)
#
# Environment knobs:
#   TG_TOOLCHAIN=rustup|debian  force the Rust toolchain used for wasm32 builds
#   CI=true                     (set by CI) nothing special beyond `npm ci` on a fresh clone
#
# The choice of toolchain is written to .toolchain/env (sourced by scripts/build-wasm.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WITH_TEST=0
WITH_GL="${TG_HEADLESS_GL:-0}"
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    --gl) WITH_GL=1 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

TARGET=wasm32-unknown-unknown
TOOLDIR="$ROOT/.toolchain"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/tensorgrad"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
mkdir -p "$TOOLDIR"
export PATH="$CARGO_BIN:$PATH"

step() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi

# apt-get install, running `apt-get update` only when the first attempt fails
# (e.g. missing package lists on a fresh container). Output goes to a log.
apt_install() {
  local log="$TOOLDIR/apt.log"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get install -y "$@" >"$log" 2>&1; then
    step "  apt-get install failed; running apt-get update and retrying (log: $log)"
    if ! { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get install -y "$@"; } >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      die "apt-get install $* failed (full log: $log)"
    fi
  fi
}

# ---------------------------------------------------------------- a. Node / npm
command -v node >/dev/null 2>&1 || die "Node.js >= 20.19 is required but 'node' is not on PATH (install it from https://nodejs.org or NodeSource; Debian 12's nodejs 18 is too old)."
command -v npm >/dev/null 2>&1 || die "npm is required but not on PATH (it ships with Node.js >= 20.19)."
NODE_VERSION="$(node -p 'process.versions.node')"
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1);
' || die "Node.js >= 20.19 is required, found $NODE_VERSION ($(command -v node))."
step "node $NODE_VERSION, npm $(npm --version): ok"

# ---------------------------------------------------------------- b. Rust for wasm32
DEB_PKGS=(rustc-web cargo-web rust-web-src lld-22)
DEB_SRC=/usr/lib/rustlib/src/rust/library

rustup_has_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}

# Previous choice (to avoid re-trying a rustup download that failed before).
PREV_TOOLCHAIN=""; PREV_RUSTUP_FAILED=""
if [ -f "$TOOLDIR/env" ]; then
  PREV_TOOLCHAIN="$(sed -n 's/^export TG_TOOLCHAIN=//p' "$TOOLDIR/env")"
  PREV_RUSTUP_FAILED="$(sed -n 's/^# rustup-target-add-failed=//p' "$TOOLDIR/env")"
fi
RUSTUP_ID=""
command -v rustup >/dev/null 2>&1 && RUSTUP_ID="$(rustc --version 2>/dev/null || true)"

CHOICE="${TG_TOOLCHAIN:-}"
RUSTUP_FAILED=""
if [ -z "$CHOICE" ]; then
  if rustup_has_target; then
    CHOICE=rustup
  elif command -v rustup >/dev/null 2>&1; then
    if [ "$PREV_TOOLCHAIN" = debian ] && [ -n "$PREV_RUSTUP_FAILED" ] && [ "$PREV_RUSTUP_FAILED" = "$RUSTUP_ID" ]; then
      CHOICE=debian; RUSTUP_FAILED="$RUSTUP_ID"   # tried before with this rustc; don't wait again
    else
      step "rustup: adding target $TARGET (timeout 60 s)"
      if timeout 60 rustup target add "$TARGET" >"$TOOLDIR/rustup.log" 2>&1 && rustup_has_target; then
        CHOICE=rustup
      else
        step "  rustup could not download $TARGET; falling back to Debian's rustc-web"
        CHOICE=debian; RUSTUP_FAILED="$RUSTUP_ID"
      fi
    fi
  else
    CHOICE=debian
  fi
fi

LINKER=""
case "$CHOICE" in
  rustup)
    rustup_has_target || die "TG_TOOLCHAIN=rustup but rustup has no $TARGET target"
    CARGO_PATH="$(command -v cargo)"; RUSTC_PATH="$(command -v rustc)"
    step "rust: rustup $(rustc --version | cut -d' ' -f2) with $TARGET: ok"
    ;;
  debian)
    if [ "$(dpkg-query -W -f='${Status}\n' "${DEB_PKGS[@]}" 2>/dev/null | grep -c '^install ok installed$')" = "${#DEB_PKGS[@]}" ] \
       && [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d "$DEB_SRC/vendor" ]; then
      :
    else
      step "apt: installing ${DEB_PKGS[*]}"
      apt_install "${DEB_PKGS[@]}"
    fi
    CARGO_PATH=/usr/bin/cargo; RUSTC_PATH=/usr/bin/rustc
    [ -d "$DEB_SRC/vendor" ] || die "$DEB_SRC/vendor missing (package rust-web-src)"
    RUSTC_VERSION="$("$RUSTC_PATH" --version)"
    SYSROOT="$("$RUSTC_PATH" --print sysroot)"
    LIBDIR="$SYSROOT/lib/rustlib/$TARGET/lib"
    STAMP="$LIBDIR/.tensorgrad-sysroot-stamp"
    if [ -f "$STAMP" ] && [ "$(head -n 1 "$STAMP")" = "$RUSTC_VERSION" ] && compgen -G "$LIBDIR/libstd-*.rlib" >/dev/null; then
      step "rust: Debian $RUSTC_VERSION with $TARGET std (built from rust-web-src): ok"
    else
      BUILD="$CACHE_DIR/sysroot-build"
      step "rust: building the $TARGET std for Debian $RUSTC_VERSION with -Zbuild-std (about a minute; log: $BUILD/build.log)"
      rm -rf "$BUILD"; mkdir -p "$BUILD/src" "$BUILD/.cargo"
      cat >"$BUILD/Cargo.toml" <<'EOF'
[package]
name = "tg-sysroot-build"
version = "0.0.0"
edition = "2021"

[lib]
path = "src/lib.rs"

[profile.release]
opt-level = 3
debug = false
debug-assertions = false
overflow-checks = false
lto = false
panic = "abort"
codegen-units = 16
EOF
      echo '#![no_std]' >"$BUILD/src/lib.rs"
      cat >"$BUILD/.cargo/config.toml" <<EOF
[source.crates-io]
replace-with = "rust-std-vendor"

[source.rust-std-vendor]
directory = "$DEB_SRC/vendor"
EOF
      # -Cembed-bitcode=yes: the project's release profile uses lto = true, which needs std's bitcode.
      if ! ( cd "$BUILD" && env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
              PATH="/usr/bin:$PATH" RUSTC="$RUSTC_PATH" RUSTC_BOOTSTRAP=1 \
              CARGO_TARGET_DIR="$BUILD/target" RUSTFLAGS="-Cembed-bitcode=yes" \
              "$CARGO_PATH" build --offline -Zbuild-std=std,panic_abort \
                --target "$TARGET" --release ) >"$BUILD/build.log" 2>&1; then
        tail -n 30 "$BUILD/build.log" >&2
        die "building the $TARGET std failed (log: $BUILD/build.log)"
      fi
      "${SUDO[@]}" mkdir -p "$LIBDIR"
      # Remove rlibs of a previous install (a different rustc version would give duplicate crates).
      "${SUDO[@]}" find "$LIBDIR" -maxdepth 1 -name '*.rlib' -delete
      for f in "$BUILD/target/$TARGET/release/deps/"*.rlib; do
        case "$(basename "$f")" in libtg_sysroot_build-*) continue ;; esac
        "${SUDO[@]}" cp "$f" "$LIBDIR/"
      done
      printf '%s\n' "$RUSTC_VERSION" | "${SUDO[@]}" tee "$STAMP" >/dev/null
      step "  installed $(ls "$LIBDIR"/*.rlib | wc -l) rlibs into $LIBDIR"
    fi
    # rustc links wasm32 with `rust-lld` (package rust-web-llvm, a Recommends of rustc-web);
    # without it use LLVM's wasm-ld from lld-22.
    if ! command -v rust-lld >/dev/null 2>&1 && [ ! -x "$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld" ]; then
      LINKER="$(command -v wasm-ld-22 || command -v wasm-ld || true)"
      [ -n "$LINKER" ] || die "no wasm linker: neither rust-lld nor wasm-ld-22 found (apt-get install lld-22)"
    fi
    ;;
  *) die "TG_TOOLCHAIN must be 'rustup' or 'debian', not '$CHOICE'" ;;
esac

# Record the choice. Written only when it changes so that its mtime stays stable.
ENV_NEW="$(
  echo "# Generated by scripts/bootstrap.sh; sourced by scripts/build-wasm.sh. Do not edit."
  [ -n "$RUSTUP_FAILED" ] && echo "# rustup-target-add-failed=$RUSTUP_FAILED"
  echo "export TG_TOOLCHAIN=$CHOICE"
  if [ "$CHOICE" = debian ]; then
    # Debian's cargo/rustc first; ~/.cargo/bin still provides wasm-bindgen and wasm-pack.
    echo "export TG_CARGO=$CARGO_PATH"
    echo "export TG_RUSTC=$RUSTC_PATH"
    echo "export RUSTC=$RUSTC_PATH"
    echo "export PATH=\"$TOOLDIR/bin:$CARGO_BIN:\$PATH\""
  else
    echo "export TG_CARGO=$CARGO_PATH"
    echo "export TG_RUSTC=$RUSTC_PATH"
    echo "export PATH=\"$CARGO_BIN:\$PATH\""
  fi
  if [ -n "$LINKER" ]; then
    echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$LINKER"
  fi
)"
if [ "$CHOICE" = debian ]; then
  # A bin directory with just cargo/rustc/rustdoc, so the rest of /usr/bin doesn't shadow anything.
  mkdir -p "$TOOLDIR/bin"
  for t in cargo rustc rustdoc; do
    [ -x "/usr/bin/$t" ] && ln -sfn "/usr/bin/$t" "$TOOLDIR/bin/$t"
  done
fi
if [ ! -f "$TOOLDIR/env" ] || [ "$(cat "$TOOLDIR/env")" != "$ENV_NEW" ]; then
  printf '%s\n' "$ENV_NEW" >"$TOOLDIR/env"
  step "  wrote .toolchain/env (TG_TOOLCHAIN=$CHOICE)"
fi

# ---------------------------------------------------------------- c. wasm-bindgen-cli, wasm-pack
# Host cargo for `cargo install`: rustup's if present, else Debian's.
if command -v rustup >/dev/null 2>&1 && [ -x "$CARGO_BIN/cargo" ]; then
  HOST_CARGO="$CARGO_BIN/cargo"
else
  HOST_CARGO=/usr/bin/cargo
  [ -x "$HOST_CARGO" ] || HOST_CARGO="$(command -v cargo)"
fi

wait_for_other_cargo_install() {
  local waited=0
  while pgrep -f "cargo install" >/dev/null 2>&1; do
    [ "$waited" = 0 ] && step "  waiting for a 'cargo install' that is already running"
    sleep 5; waited=$((waited + 5))
    [ "$waited" -ge 1800 ] && die "a concurrent 'cargo install' has been running for 30 minutes"
  done
  return 0
}

# cargo install --locked, falling back to a fresh resolution when the crate's lockfile pins
# a version the registry no longer serves (seen with wasm-bindgen-cli 0.2.130 -> webpki-roots 1.0.11).
cargo_install() {
  local name="$1"; shift
  local log="$TOOLDIR/install-$name.log"
  if "$HOST_CARGO" install "$name" "$@" --locked >"$log" 2>&1; then return 0; fi
  step "  'cargo install $name --locked' failed; retrying without --locked (log: $log)"
  if "$HOST_CARGO" install "$name" "$@" >>"$log" 2>&1; then return 0; fi
  tail -n 20 "$log" >&2
  die "cargo install $name failed (log: $log)"
}

WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$WBG_VERSION" ] || die "could not read the wasm-bindgen version from Cargo.lock"
wbg_ok() { [ "$("$CARGO_BIN/wasm-bindgen" --version 2>/dev/null || true)" = "wasm-bindgen $WBG_VERSION" ]; }
if ! wbg_ok; then wait_for_other_cargo_install; fi
if wbg_ok; then
  step "wasm-bindgen-cli $WBG_VERSION: ok"
else
  step "cargo install wasm-bindgen-cli $WBG_VERSION (a few minutes; log: .toolchain/install-wasm-bindgen-cli.log)"
  cargo_install wasm-bindgen-cli --version "$WBG_VERSION" --force
  wbg_ok || die "wasm-bindgen $WBG_VERSION still not found in $CARGO_BIN after installing"
fi

WASM_PACK_VERSION=0.15.1
wp_ok() { "$CARGO_BIN/wasm-pack" --version >/dev/null 2>&1; }
if ! wp_ok; then wait_for_other_cargo_install; fi
if wp_ok; then
  step "$("$CARGO_BIN/wasm-pack" --version): ok"
else
  step "cargo install wasm-pack $WASM_PACK_VERSION (a few minutes; log: .toolchain/install-wasm-pack.log)"
  cargo_install wasm-pack --version "$WASM_PACK_VERSION"
  wp_ok || die "wasm-pack still not found in $CARGO_BIN after installing"
fi

# ---------------------------------------------------------------- d. npm dependencies
# Up to date when every package of package-lock.json is installed at its locked version
# (optional platform packages for other platforms may be absent; workspace links must exist).
npm_deps_ok() {
  [ -d node_modules ] || return 1
  node -e '
    const fs = require("fs"), path = require("path");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    for (const [p, e] of Object.entries(lock.packages || {})) {
      if (!p.startsWith("node_modules/") && !p.includes("/node_modules/")) continue;
      let st; try { st = fs.lstatSync(p); } catch { if (e.optional || e.peer) continue; process.exit(1); }
      if (e.link) {
        let same = false;
        try { same = st.isSymbolicLink() && fs.realpathSync(p) === fs.realpathSync(path.resolve(e.resolved)); } catch {}
        if (!same) process.exit(1);
        continue;
      }
      let v; try { v = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version; } catch { process.exit(1); }
      if (e.version && v !== e.version) process.exit(1);
    }
  '
}
if npm_deps_ok; then
  step "node_modules matches package-lock.json: ok"
else
  step "npm ci"
  npm ci --no-audit --no-fund
fi

# ---------------------------------------------------------------- e. chromium (tests only)
if [ "$WITH_TEST" = 1 ]; then
  if [ -x /usr/bin/chromium ]; then
    step "chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'): ok"
  else
    step "apt: installing chromium (for the playground's end-to-end test)"
    apt_install chromium
    [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is missing"
  fi
fi

# ---------------------------------------------------------------- f. headless-gl (opt-in)
# npm 11 skips dependencies' install scripts unless allowScripts approves them, so `npm ci` never
# builds gpu.js's optional `gl`. Build the locked version once per Node ABI into the cache with
# node-gyp (Node's headers from --nodedir=/usr, no download) and link it into node_modules.
if [ "$WITH_GL" = 1 ]; then
  GL_VERSION="$(node -p 'require("./package-lock.json").packages["node_modules/gl"]?.version ?? ""')"
  [ -n "$GL_VERSION" ] || die "package-lock.json has no node_modules/gl entry (gpu.js's optional dependency)"
  GL_DIR="$CACHE_DIR/headless-gl-$GL_VERSION-abi$(node -p process.versions.modules)"
  GL_APT=(xvfb xauth libxi-dev libglew-dev libglu1-mesa-dev libgl1-mesa-dri pkg-config python3 make g++)
  if [ "$(dpkg-query -W -f='${Status}\n' "${GL_APT[@]}" 2>/dev/null | grep -c '^install ok installed$')" != "${#GL_APT[@]}" ]; then
    step "apt: installing ${GL_APT[*]} (headless-gl build and xvfb)"
    apt_install "${GL_APT[@]}"
  fi
  if [ ! -f "$GL_DIR/node_modules/gl/build/Release/webgl.node" ]; then
    step "building headless-gl $GL_VERSION with node-gyp (about 5 minutes; log: $GL_DIR/build.log)"
    rm -rf "$GL_DIR"; mkdir -p "$GL_DIR"
    echo '{"name":"tg-headless-gl","private":true}' >"$GL_DIR/package.json"
    if ! ( cd "$GL_DIR" && npm install --no-audit --no-fund --no-save "gl@$GL_VERSION" \
           && cd node_modules/gl && ../.bin/node-gyp rebuild --nodedir=/usr -j "$(nproc)" ) >"$GL_DIR/build.log" 2>&1; then
      tail -n 20 "$GL_DIR/build.log" >&2
      die "building headless-gl failed (log: $GL_DIR/build.log)"
    fi
  fi
  if [ "$(readlink node_modules/gl 2>/dev/null)" != "$GL_DIR/node_modules/gl" ]; then
    rm -rf node_modules/gl
    ln -s "$GL_DIR/node_modules/gl" node_modules/gl
  fi
  step "headless-gl $GL_VERSION: ok (linked from $GL_DIR)"
fi

step "done"
