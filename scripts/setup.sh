#!/usr/bin/env bash
# Set up a development environment on a fresh Debian machine: the Debian packages the
# tests need (chromium, postgresql: scripts/system-deps.sh, as root), a virtual
# environment in .venv with casework and its development tools, the widgets' JavaScript
# bundled with esbuild. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    bash scripts/system-deps.sh
fi
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# The widgets' JavaScript: esbuild (pinned in package-lock.json) bundles the ES modules
# under src/casework/widgets/static/ into static/dist/, which the package ships.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
.venv/bin/python scripts/build_js.py
echo "casework is installed in .venv ($(.venv/bin/casework --help >/dev/null && echo ok))"
