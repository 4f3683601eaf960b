#!/usr/bin/env bash
# Builds the standalone binaries with `bun build --compile`: `scripts/build.sh` (from anywhere).
#
#   dist/rill-<name>-linux-x64, dist/rill-<name>-linux-arm64   one binary per entry src/cli/<name>.ts that exists
#   dist/rill-<name>.inputs.txt                                 the bundle's input files, one a line (from --metafile)
#
# The arm64 runtime is fetched once by bun from the npm registry (~50 MB) and cached in ~/.bun/install/cache.
# Flags, and why (figures from a 60 s run of a collector stand-in, see the collector-memory notes in the README):
#   --no-compile-autoload-dotenv --no-compile-autoload-bunfig
#       a binary started in a directory holding `.env` or `bunfig.toml` must not load them (they would change
#       process.env, or preload code).
#   --compile-jit-policy=$JIT_POLICY (default 1e12), collector only
#       multiplies JavaScriptCore's tier-up thresholds so the collector's once-a-second work stays in the
#       interpreter; the JIT's compilers are never paged in, which keeps ~5-6 MB of the executable's code out of
#       VmRSS (about 32 MB -> 26 MB) for ~0.05 CPU s/min more. RILL_JIT_POLICY=1 builds with the normal JIT.
#       The parent keeps the normal JIT: its ingestion is hot code, ~6x slower in the interpreter.
#   no --bytecode (+2 MB file and RSS), no --minify (no measurable change), no --compile-exec-argv=--smol (no
#   change); never stripped.
#
# Deno alternative, for users whose network reaches Deno's download site (dl.deno.land); not used here:
#   deno compile -A --target x86_64-unknown-linux-gnu -o dist/rill-collector src/cli/collector.ts
#   (and --target aarch64-unknown-linux-gnu for arm64; same for src/cli/parent.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund --loglevel=error
bun=node_modules/.bin/bun

# Entries: $CLI_DIR/<name>.ts -> dist/rill-<name>-linux-<arch>; a missing entry is skipped.
# RILL_CLI_DIR points elsewhere only for trying the script with stand-in entries.
ENTRIES=(collector parent)
CLI_DIR=${RILL_CLI_DIR:-src/cli}
TARGETS=(x64 arm64)
JIT_POLICY=${RILL_JIT_POLICY:-1000000000000}

mkdir -p dist
built=0
for name in "${ENTRIES[@]}"; do
  entry=$CLI_DIR/$name.ts
  if [ ! -f "$entry" ]; then
    echo "-- skip rill-$name: $entry does not exist"
    continue
  fi
  jit=()
  [ "$name" = collector ] && jit=(--compile-jit-policy="$JIT_POLICY")
  for arch in "${TARGETS[@]}"; do
    out=dist/rill-$name-linux-$arch
    meta=dist/rill-$name-linux-$arch.meta.json
    "$bun" build "$entry" --compile --target="bun-linux-$arch" --outfile="$out" \
      --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
      "${jit[@]}" \
      --metafile="$meta" >/dev/null
    printf '%-34s %10d bytes (%s MiB)\n' "$out" "$(stat -c %s "$out")" "$(($(stat -c %s "$out") / 1048576))"
    built=$((built + 1))
  done
  # The bundle's inputs are the same for both architectures.
  META="$meta" "$bun" -e 'const m = await Bun.file(process.env.META).json();
    console.log(Object.keys(m.inputs).sort().join("\n"))' >"dist/rill-$name.inputs.txt"
  echo "   inputs: dist/rill-$name.inputs.txt ($(wc -l <"dist/rill-$name.inputs.txt") files)"
done
[ "$built" -gt 0 ] || {
  echo "no entry found among: ${ENTRIES[*]}"
  exit 1
}
