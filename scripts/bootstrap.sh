#!/usr/bin/env bash
# Prepares a machine to run the platform: Debian packages WeasyPrint needs,
# a virtualenv in .venv and the Python packages from pyproject.toml.
# Safe to run again: it only does what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

# pango renders text; libharfbuzz-subset0 lets WeasyPrint embed only the glyphs
# it uses (without it a Chinese scorecard takes ~14 s instead of under 1 s);
# fonts-noto-cjk gives the Chinese glyphs.
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk"
# For `make test` only: poppler-utils (pdftotext, pdffonts, pdftoppm) reads the
# PDFs back; docker-compose validates docker-compose.yml where no Docker runs;
# chromium runs the phone app's browser tests (Playwright cannot download a
# browser here, Debian's works); nodejs and npm run the app's own unit tests;
# redis-server is started by the fault tests on a port of their own, as the
# broker of the Celery workers they kill.
if [ "${1:-}" = "--test" ]; then
  SYSTEM_PACKAGES="$SYSTEM_PACKAGES poppler-utils docker-compose chromium redis-server"
  # Node from any source will do (nvm, NodeSource, Debian); install Debian's only when none.
  command -v node >/dev/null 2>&1 || SYSTEM_PACKAGES="$SYSTEM_PACKAGES nodejs"
  command -v npm >/dev/null 2>&1 || SYSTEM_PACKAGES="$SYSTEM_PACKAGES npm"
fi

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in $SYSTEM_PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in *"install ok installed"*) ;; *) missing="$missing $pkg" ;; esac
  done
else
  echo "bootstrap: not a Debian/Ubuntu system; make sure these are installed: $SYSTEM_PACKAGES" >&2
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt run (unattended-upgrades on a fresh machine) instead of failing.
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "bootstrap: these system packages are missing:$missing" >&2
    echo "bootstrap: install them, then run this again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"
      break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "bootstrap: Python 3.11 or newer is needed: sudo apt-get install -y python3 python3-venv" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" -eq 0 ]; then
      apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "bootstrap: the venv module is missing: sudo apt-get install -y python3-venv" >&2
      exit 1
    fi
  fi
fi

# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  # uv installs the same packages several times faster than pip, which was
  # most of a fresh `make run`. pip (upgraded first) stays the fallback for a
  # machine where uv cannot be installed or cannot reach the index.
  if .venv/bin/python -m pip install -q --disable-pip-version-check uv &&
    .venv/bin/uv pip install -q --python .venv/bin/python -e '.[test]'; then
    :
  else
    echo "bootstrap: uv failed; installing with pip instead (slower)" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# The phone app's test dependencies (fake-indexeddb, axe-core), exactly as locked.
# The app itself needs no build: its one runtime library is vendored in mobile/src/vendor.
if [ "${1:-}" = "--test" ] && [ -f mobile/package-lock.json ]; then
  npm_stamp=mobile/node_modules/.installed-$(sha256sum mobile/package-lock.json | cut -c1-16)
  if [ ! -f "$npm_stamp" ]; then
    echo "bootstrap: installing the phone app's npm packages (npm ci)"
    (cd mobile && npm ci --no-audit --no-fund --loglevel=error)
    touch "$npm_stamp"
  fi
fi
mkdir -p var/media
