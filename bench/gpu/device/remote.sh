#!/usr/bin/env bash
# Runs on the lent GPU machine (bare, no registry), from the repository root, with the bundles
# of bench/gpu/device/pack.sh carried along.
#   bash bench/gpu/device/remote.sh x     # carry .gpubench/x: unpack X + glvnd, check GLX
#   bash bench/gpu/device/remote.sh run   # carry .gpubench/n: Node + app; runs bench/gpu/webgpu.mjs
#                                         # (Dawn/Vulkan), bench/gpu/webgpu-check.mjs, and bench/gpu/run.mjs
#                                         # --target node (webgpu first; then headless-gl on the X from
#                                         # the 'x' step if this machine still has it, else webasm)
# Everything it prints also goes to $OUT/log-<step>.txt.
set -uo pipefail
STEP="${1:-run}"
T=/tmp/tg
mkdir -p "$T"
exec > >(tee -a "${OUT:-/tmp}/log-$STEP.txt") 2>&1
NV=/usr/local/nvidia
export VK_DRIVER_FILES="$NV/share/vulkan/icd.d/nvidia_icd.json"
export __EGL_VENDOR_LIBRARY_FILENAMES="$NV/share/glvnd/egl_vendor.d/10_nvidia.json"
NVLIB="$(ls -d $NV/lib64 $NV/lib 2>/dev/null | tr '\n' ':')"
XLIB="$T/xbundle/lib"

start_x() {
  pgrep -x Xvfb >/dev/null && return 0
  [ -x "$T/xbundle/bin/Xvfb" ] || return 1
  # the server looks for xkbcomp and the swrast driver at Debian's paths
  [ -e /usr/bin/xkbcomp ] || cp "$T/xbundle/bin/xkbcomp" /usr/bin/
  mkdir -p /usr/lib/x86_64-linux-gnu/dri
  [ -e /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so ] || cp "$T/xbundle/lib/dri/swrast_dri.so" /usr/lib/x86_64-linux-gnu/dri/
  LD_LIBRARY_PATH="$XLIB" setsid "$T/xbundle/bin/Xvfb" :99 -screen 0 1024x768x24 +extension GLX -nolisten tcp \
    -xkbdir "$T/xbundle/share/X11/xkb" >"$T/xvfb.log" 2>&1 &
  for _ in $(seq 50); do [ -e /tmp/.X11-unix/X99 ] && return 0; sleep 0.1; done
  echo "Xvfb did not start:"; cat "$T/xvfb.log"; return 1
}

case "$STEP" in
x)
  echo "== machine"; nvidia-smi -L; grep PRETTY /etc/os-release; ldd --version | head -1; command -v node && node --version
  ls "$NV" 2>&1; ls $NV/lib64 2>/dev/null | grep -iE 'GLX|EGL_nv|vulkan' | head
  ls $NV/share/vulkan/icd.d $NV/share/glvnd/egl_vendor.d 2>&1
  echo "== unpack"
  time tar -C "$T" -xJf .gpubench/x/xbundle.tar.xz
  for f in .gpubench/x/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  cp .gpubench/x/glxinfo "$T/glxinfo"; chmod +x "$T/glxinfo"
  start_x || exit 1
  echo "== GLX, Mesa (server side)"; DISPLAY=:99 LD_LIBRARY_PATH="$XLIB" "$T/glxinfo" -B 2>&1 | head -20
  echo "== GLX, NVIDIA vendor library"
  DISPLAY=:99 __GLX_VENDOR_LIBRARY_NAME=nvidia LD_LIBRARY_PATH="$NVLIB$XLIB" "$T/glxinfo" -B 2>&1 | head -20
  ;;
run)
  echo "== unpack node + app"
  if ! ldconfig -p | grep -q libvulkan.so.1 && ls .gpubench/x/gl/*.deb >/dev/null 2>&1; then
    for f in .gpubench/x/gl/*.deb; do dpkg -x "$f" /; done; ldconfig   # the Vulkan + glvnd loaders
  fi
  [ -x "$T/node" ] || { xz -dc .gpubench/n/node.xz >"$T/node" && chmod +x "$T/node"; }
  rm -rf "$T/app" && mkdir -p "$T/app" && tar -C "$T/app" -xJf .gpubench/n/app.tar.xz
  "$T/node" --version
  cd "$T/app"
  echo "== WebGPU (Dawn, Vulkan): gpu.js webgpu kernels vs WASM"
  timeout 150 "$T/node" bench/gpu/webgpu.mjs --sizes "${SIZES:-512,1024,2048}"
  echo "== tensorgrad-gpu's webgpu mode (the worker bridge): agreement, cost per op, clean exit"
  timeout 120 "$T/node" bench/gpu/webgpu-check.mjs; echo "webgpu-check exit code $?"
  if ! start_x; then
    echo "== bench/gpu through tensorgrad: webgpu, then gpu.js's CPU backend (no X bundle here: no headless-gl)"
    timeout 240 "$T/node" bench/gpu/run.mjs --target node --max-seconds "${MAX_S:-200}"
  else
    for vendor in nvidia ""; do
      echo "== headless-gl under Xvfb, __GLX_VENDOR_LIBRARY_NAME=${vendor:-unset}"
      R="$(DISPLAY=:99 LD_LIBRARY_PATH="$NVLIB$XLIB" env ${vendor:+__GLX_VENDOR_LIBRARY_NAME=$vendor} "$T/glxinfo" -B 2>&1 |
        sed -n 's/^OpenGL renderer string: //p')"
      echo "GLX renderer: ${R:-none}"
      [ -n "$R" ] || continue
      DISPLAY=:99 LD_LIBRARY_PATH="$NVLIB$XLIB" TG_GL_RENDERER="$R" \
        env ${vendor:+__GLX_VENDOR_LIBRARY_NAME=$vendor} timeout 240 "$T/node" bench/gpu/run.mjs --target node --max-seconds "${MAX_S:-200}" && break
    done
  fi
  ;;
esac
