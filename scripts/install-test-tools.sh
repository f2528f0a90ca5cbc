#!/usr/bin/env bash
# Installs what only some tests need: Debian's Chromium (review-page test), a CJK font (PDF fixtures),
# and Label Studio in its own virtualenv (it pins many packages; kept apart so it cannot change ours).
set -euo pipefail
LS_VENV="${GOVREPORT_LS_VENV:-/opt/ls-venv}"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei fontconfig)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$LS_VENV/bin/label-studio" ]; then
  python -m venv "$LS_VENV"
  "$LS_VENV/bin/pip" install -q 'label-studio==1.23.*'
fi
echo "chromium: $(command -v chromium || echo absent); label-studio: $LS_VENV/bin/label-studio"
