#!/usr/bin/env bash
# Debian packages the full test suite needs: chromium (browser tests of the widgets and
# exported chapters), postgresql (the shared event store), and a LaTeX engine with the
# fonts and SVG converter pandoc needs for PDF chapters (poppler-utils to read them back in
# tests), node and npm (esbuild bundles the widgets' JavaScript). Needs root; safe to rerun.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/*/bin/postgres ] 2>/dev/null || need+=(postgresql)
command -v xelatex >/dev/null 2>&1 || need+=(texlive-xetex texlive-fonts-recommended texlive-plain-generic)
kpsewhich lmodern.sty >/dev/null 2>&1 || need+=(lmodern)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)  # esbuild bundles the widgets' JS
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "system-deps: run as root, or install: ${need[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi
echo "system-deps: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), postgresql $(ls /usr/lib/postgresql 2>/dev/null | head -1), $(xelatex --version 2>/dev/null | head -1)"
