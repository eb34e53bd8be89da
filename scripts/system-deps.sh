#!/usr/bin/env bash
# Debian packages the full test suite needs: chromium (browser tests of the widgets and
# exported chapters) and postgresql (the shared event store). Needs root; safe to rerun.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/*/bin/postgres ] 2>/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "system-deps: run as root, or install: ${need[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi
echo "system-deps: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), postgresql $(ls /usr/lib/postgresql 2>/dev/null | head -1)"
