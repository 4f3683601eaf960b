#!/usr/bin/env bash
# The main job: installs the pinned toolchain if needed, builds the binaries when the sources are newer, then
# runs rill-parent with its embedded config (API and streaming on 127.0.0.1:19999, children kept in `save`
# mode under ~/.local/state/rill-parent) and a rill-collector that streams this machine into it. Ctrl-C
# stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund --loglevel=error
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no rill build for $(uname -m): run it with Deno instead (deno run -A src/cli/parent.ts)" >&2; exit 1 ;;
esac
parent=dist/rill-parent-linux-$arch
collector=dist/rill-collector-linux-$arch
if [ ! -x "$parent" ] || [ ! -x "$collector" ] || [ -n "$(find src -newer "$parent" -name '*.ts' -print -quit)" ]; then
  bash scripts/build.sh
fi

"$parent" --embedded &
parent_pid=$!
trap 'kill "$parent_pid" "${collector_pid:-}" 2>/dev/null; wait' EXIT INT TERM
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/19999) 2>/dev/null && break
  kill -0 "$parent_pid" 2>/dev/null || { echo "rill-parent did not start (see its log above)" >&2; exit 1; }
  sleep 0.2
done
"$collector" --embedded &
collector_pid=$!
host=$(hostname)
cat <<EOT

rill is running: rill-parent on 127.0.0.1:19999, rill-collector streaming this machine into it.
  parent:             http://127.0.0.1:19999/api/v1/info   (mirrored_hosts: $host-parent and $host)
  this machine:       http://127.0.0.1:19999/host/$host/api/v1/charts
  its load average:   http://127.0.0.1:19999/host/$host/api/v1/data?chart=system.load&after=-60
Ctrl-C stops both.

EOT
wait
