#!/usr/bin/env bash
# Packs what bench/gpu needs on a bare GPU machine that can reach no registry (this workplace's
# lent device machine): Node, gpu.js with headless-gl and Dawn (`webgpu`), the built tensorgrad
# packages, and an X server whose GLX headless-gl's ANGLE can use (Xvfb; Mesa's swrast for the
# server side, glvnd so that __GLX_VENDOR_LIBRARY_NAME=nvidia can pick the driver's GLX).
# One call carries at most 64 MiB, so it is two bundles: .gpubench/x (X, ~50 MB) and
# .gpubench/n (Node + app, ~35 MB); bench/gpu/device/remote.sh unpacks and runs them.
# Needs: `npx turbo run build`, `bash scripts/bootstrap.sh --gl` (headless-gl built), xvfb.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
OUT="$ROOT/.gpubench"
GL_DIR="$(ls -d "$HOME"/.cache/tensorgrad/headless-gl-*-abi"$(node -p process.versions.modules)" | tail -1)/node_modules"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT/x/gl" "$OUT/n"
EXCLUDE="$(git -C "$ROOT" rev-parse --path-format=absolute --git-path info/exclude)"   # a worktree shares the main one's
grep -qx '/.gpubench/' "$EXCLUDE" 2>/dev/null || echo '/.gpubench/' >>"$EXCLUDE"

# ---- X bundle (cached: only rebuilt when missing)
if [ ! -f "$OUT/x/xbundle.tar.xz" ]; then
  B="$TMP/xbundle"
  mkdir -p "$B/bin" "$B/lib/dri" "$B/share/X11"
  cp /usr/bin/Xvfb /usr/bin/xkbcomp "$B/bin/"
  cp -a /usr/share/X11/xkb "$B/share/X11/"
  cp /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so "$B/lib/dri/"
  for f in /usr/bin/Xvfb /usr/bin/xkbcomp "$B/lib/dri/swrast_dri.so" "$GL_DIR/gl/build/Release/webgl.node"; do
    ldd "$f" | awk '$3 ~ /^\// {print $3}'
  done | sort -u | grep -vE 'lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s|GL|GLX|GLdispatch)\.so|ld-linux' |
    while read -r l; do cp -L "$l" "$B/lib/"; done
  tar -C "$TMP" -cf - xbundle | xz -9 -T0 >"$OUT/x/xbundle.tar.xz"
fi
if ! ls "$OUT"/x/gl/*.deb >/dev/null 2>&1 || [ ! -f "$OUT/x/glxinfo" ]; then
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$TMP/lists")
  mkdir -p "$TMP/lists/partial"
  apt-get "${o[@]}" update >/dev/null
  (cd "$OUT/x/gl" && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  (cd "$TMP" && apt-get "${o[@]}" download mesa-utils-bin && dpkg -x mesa-utils-bin_*.deb mu)
  cp "$TMP/mu/usr/bin/glxinfo.x86_64-linux-gnu" "$OUT/x/glxinfo"
fi

# ---- Node (cached) + app (always rebuilt: it holds the current build)
[ -f "$OUT/n/node.xz" ] || xz -9 -T0 -c "$(command -v node)" >"$OUT/n/node.xz"
A="$TMP/app"
NM="$A/node_modules"
mkdir -p "$A/bench/gpu" "$NM"
cp "$ROOT"/bench/gpu/*.mjs "$A/bench/gpu/"
for p in tensorgrad tensorgrad-gpu; do
  mkdir -p "$NM/$p" && cp -r "$ROOT/packages/$p/package.json" "$ROOT/packages/$p/dist" "$NM/$p/"
done
G="$ROOT/node_modules/gpu.js"
mkdir -p "$NM/gpu.js/node_modules/webgpu/dist"
cp -r "$G/package.json" "$G/src" "$NM/gpu.js/"
cp -r "$G/node_modules/acorn" "$NM/gpu.js/node_modules/"
cp "$G/node_modules/webgpu/package.json" "$G/node_modules/webgpu/index.js" "$NM/gpu.js/node_modules/webgpu/"
cp "$G/node_modules/webgpu/dist/linux-x64.dawn.node" "$NM/gpu.js/node_modules/webgpu/dist/"
cp -r "$ROOT/node_modules/gpu-mock.js" "$NM/"
mkdir -p "$NM/gl/build/Release" "$NM/gl/src"
cp "$GL_DIR/gl/package.json" "$GL_DIR/gl/index.js" "$NM/gl/"
cp -r "$GL_DIR/gl/src/javascript" "$NM/gl/src/"
cp "$GL_DIR/gl/build/Release/webgl.node" "$NM/gl/build/Release/"
for p in bindings file-uri-to-path bit-twiddle glsl-tokenizer; do cp -r "$GL_DIR/$p" "$NM/"; done
tar -C "$A" -cf - . | xz -6 -T0 >"$OUT/n/app.tar.xz"
du -sh "$OUT/x" "$OUT/n"
