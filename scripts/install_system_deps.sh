#!/usr/bin/env bash
# Debian's Chromium, which only image export (kaleido: PNG/SVG/PDF) and the browser tests (Playwright) need.
# Never fails the set-up: without apt-get, root or password-less sudo it says how to get Chromium and goes on;
# everything else (JupyterLab, the notebook, HTML charts, reports without images) works without it.
set -uo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
HINT="install Debian's 'chromium' package (sudo apt-get install chromium), or set BROWSER_PATH to a Chrome/Chromium binary"

if [ -x "$CHROMIUM_PATH" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_system_deps: no Chromium and no apt-get here: PNG/SVG export and the browser tests need it; $HINT." >&2
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install_system_deps: Chromium is missing and installing it needs root: $HINT." >&2
  exit 0
fi
if ! "${SUDO[@]}" apt-get update -qq || ! DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq \
    chromium fonts-dejavu-core >/dev/null; then
  echo "install_system_deps: apt-get could not install Chromium: $HINT." >&2
fi
exit 0
