#!/usr/bin/env bash
# Make sure the system programs Vivido needs are installed: `dot` (Graphviz) always, and
# Chromium for the browser tests. Installs them with apt where it can; otherwise says
# exactly what to install and stops.
set -euo pipefail

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
if [ "${1:-}" = "--with-browser" ] && [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Vivido needs: ${need[*]}. Install them as root: apt-get install -y ${need[*]}" >&2
      exit 1
    fi
  fi
  echo "Installing ${need[*]} with apt-get…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Vivido needs these system packages, which this script can only install with apt:" >&2
  echo "  ${need[*]}  (Graphviz provides the 'dot' program; Chromium runs the browser tests)" >&2
  echo "Install them with your system's package manager (e.g. 'brew install graphviz'), then run make again." >&2
  exit 1
fi
