#!/usr/bin/env bash
# Make sure the browser tests have a Chromium to drive, or say exactly what to install.
set -euo pipefail
if [ -n "${PLAYWRIGHT_CHROMIUM:-}" ] && [ -x "$PLAYWRIGHT_CHROMIUM" ]; then exit 0; fi
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$candidate" ] && exit 0
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's Chromium for the browser tests (about a minute)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
fi
if .venv/bin/python -m playwright install chromium >/dev/null 2>&1; then exit 0; fi
cat >&2 <<'MSG'
No Chromium for the browser tests. Install one of:
  - Debian/Ubuntu:  sudo apt-get install -y chromium
  - elsewhere:      .venv/bin/python -m playwright install chromium
or point PLAYWRIGHT_CHROMIUM at a Chromium executable, then run `make test` again.
MSG
exit 1
