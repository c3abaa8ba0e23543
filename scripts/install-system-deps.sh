#!/usr/bin/env bash
# System packages the project needs beyond Python 3.11+ (Debian).  Idempotent: installs only what
# is missing.  Run as root (CI does); a developer can run it with sudo.
#   make          the two README commands
#   fonts-noto-cjk  Chinese text in chart exports and PDFs
#   chromium      browser tests (Playwright drives /usr/bin/chromium)
#   poppler-utils pdftotext / pdftoppm to check exported PDFs
set -euo pipefail

need=()
command -v make >/dev/null 2>&1 || need+=(make)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing system packages: ${need[*]} (run this script as root)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages present"
