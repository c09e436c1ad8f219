#!/bin/sh
# The README's screenshots are packaged in the VSIX (its README shows them), and the VSIX should stay small:
# 16 full-window PNGs are 2.7 MB as Chromium writes them and under 0.9 MB quantized. Lossy, but text stays sharp.
set -eu
DIR=${1:-docs/screenshots}
if ! command -v pngquant >/dev/null 2>&1; then
  echo "shrink-screenshots: pngquant not found (apt-get install pngquant); $DIR left as taken" >&2
  exit 0
fi
for f in "$DIR"/*.png; do
  pngquant --force --skip-if-larger --quality 70-95 --output "$f" -- "$f" || true
done
du -sh "$DIR"
