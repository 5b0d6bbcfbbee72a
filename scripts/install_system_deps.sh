#!/usr/bin/env bash
# System packages the project needs: Debian's Chromium (kaleido image export, Playwright browser tests).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  SUDO=sudo
else
  SUDO=
fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
else
  echo "install_system_deps: no apt-get here; install Chromium by hand (it must be on PATH as 'chromium')" >&2
  exit 1
fi
