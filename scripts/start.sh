#!/usr/bin/env bash
# The main job: installs the pinned toolchain if needed, builds the binaries when the sources are newer, and
# runs rill-collector for this machine's architecture. Arguments go to the collector (`npm start -- -c DIR`);
# without any, it uses /etc/netdata, or its embedded config (stream to localhost:19999) when that folder has
# no stream.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund --loglevel=error
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no rill build for $(uname -m): run it with Deno instead (deno run -A src/cli/collector.ts)" >&2; exit 1 ;;
esac
binary=dist/rill-collector-linux-$arch
if [ ! -x "$binary" ] || [ -n "$(find src -newer "$binary" -name '*.ts' -print -quit)" ]; then
  bash scripts/build.sh
fi
exec "$binary" "$@"
