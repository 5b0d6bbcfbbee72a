#!/usr/bin/env bash
# `make lab`: JupyterLab on the walk-through notebook, as root (containers, cloud workstations) or as a normal
# user, with JupyterLab's news and update pop-ups off. Extra arguments go to JupyterLab (e.g. --port=8899).
set -euo pipefail
BIN="${BIN:-.venv/bin}"
NOTEBOOK="${NOTEBOOK:-notebooks/01_triage.ipynb}"

# Settings defaults for this command only (JupyterLab's overrides.json in a folder of our own): no news prompt,
# no update check. build/ when it is writable, else a private temporary folder.
settings="build/lab-settings"
if ! mkdir -p "$settings" 2>/dev/null || [ ! -w "$settings" ]; then
  settings="$(mktemp -d "${TMPDIR:-/tmp}/triage-lab-settings.XXXXXX")"
fi
cat > "$settings/overrides.json" <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}
}
JSON

args=(--ServerApp.ip=127.0.0.1 "--LabApp.app_settings_dir=$(cd "$settings" && pwd)" --LabApp.news_url=None
      --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate)
if [ "$(id -u)" = "0" ]; then
  args+=(--allow-root)  # JupyterLab refuses root without it
fi
exec "$BIN/python" -m jupyterlab "${args[@]}" "$@" "$NOTEBOOK"
