#!/usr/bin/env bash
# Screenshots of each section of the application form at 1280 and 375 px into
# docs/screenshots/portal/, on a throw-away test database with Debian's Chromium.
# Run from the repository root: bash docs/screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/pytest tests/browser/screenshots_portal.py -p no:cacheprovider -q "$@"
ls docs/screenshots/portal/
