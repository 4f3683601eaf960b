#!/usr/bin/env bash
# The one test command (README): installs the pinned Deno and Bun from the npm registry when needed,
# checks format, lint and types, then runs the whole suite on both runtimes and prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1

if [ -n "${CI:-}" ] || [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing the pinned toolchain"
  # Not `npm ci`: npm 11 records the deno package's optional per-platform binaries without versions and
  # then refuses its own lock file; `npm install` honours the same pinned lock.
  npm install --no-audit --no-fund --loglevel=error || exit 1
fi
# Real peers and tools for tests/interop/ and tests/e2e/: Debian's netdata 1.37 (it does not start itself
# here), qemu-user-static with the arm64 loader for the arm64 binary, openssl for TLS certificates.
need=()
command -v netdata >/dev/null || [ -x /usr/sbin/netdata ] || need+=(netdata)
[ -x /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
[ -d /usr/aarch64-linux-gnu/lib ] || need+=(libc6-arm64-cross)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]} from Debian for the interop and e2e tests"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } ||
      echo "!! apt-get could not install ${need[*]}: the tests that need them will report themselves skipped"
  else
    echo "!! ${need[*]} missing and this is not root with apt-get: the tests that need them will be skipped"
  fi
fi

echo "== building the binaries (scripts/build.sh)"
bash scripts/build.sh || exit 1

deno=node_modules/.bin/deno
bun=node_modules/.bin/bun
echo "== $($deno --version | head -1), bun $($bun --version)"

status=0
echo "== deno fmt --check, deno lint, deno check"
$deno fmt --check || status=1
$deno lint || status=1
$deno check mod.ts src/ tests/ scripts/ || status=1

log=$(mktemp -d)
echo "== deno test"
$deno test -A tests/ 2>&1 | tee "$log/deno.txt" | grep -Ev ' \.\.\. ok' || true
echo "== bun test"
$bun test --timeout 90000 tests/ 2>&1 | tee "$log/bun.txt" | grep -Ev '^\(pass\)' || true

# One closing line for both runtimes: deno prints "ok | N passed | M failed", bun " N pass" / " M fail".
read -r dp df < <(grep -E '(ok|FAILED) \| [0-9]+ passed' "$log/deno.txt" | tail -1 |
  sed -E 's/.*\| ([0-9]+) passed.*\| ([0-9]+) failed.*/\1 \2/')
bp=$(grep -E '^ *[0-9]+ pass$' "$log/bun.txt" | tail -1 | tr -dc '0-9')
bf=$(grep -E '^ *[0-9]+ fail$' "$log/bun.txt" | tail -1 | tr -dc '0-9')
# Tests that need a real peer which is missing report themselves skipped (deno: "ignored").
ds=$(grep -oE '\| [0-9]+ ignored' "$log/deno.txt" | tail -1 | tr -dc '0-9')
bs=$(grep -E '^ *[0-9]+ skip$' "$log/bun.txt" | tail -1 | tr -dc '0-9')
if [ -z "${dp:-}" ] || [ -z "$bp" ]; then
  echo "a test runner did not report its totals (deno: '${dp:-}', bun: '$bp')"
  status=1
fi
passed=$(( ${dp:-0} + ${bp:-0} ))
failed=$(( ${df:-0} + ${bf:-0} ))
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
skipped=$(( ${ds:-0} + ${bs:-0} ))
echo "deno: ${dp:-0} passed, ${df:-0} failed, ${ds:-0} skipped; bun: ${bp:-0} passed, ${bf:-0} failed, ${bs:-0} skipped"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
