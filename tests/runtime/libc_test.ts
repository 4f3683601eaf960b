import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadLibc, STA_CLOCKERR, STA_UNSYNC, TIME_ERROR } from "../../src/runtime/libc.ts";

const MADV_NORMAL = 0;
const PAGE = 4096n;

async function libc() {
  const opened = await loadLibc();
  assert.ok(opened.libc, `the C library did not open: ${"reason" in opened ? opened.reason : ""}`);
  return opened.libc;
}

test("libc: opens once (both calls share the first answer) and names the library", async () => {
  const first = await libc();
  assert.equal(await libc(), first);
  assert.match(first.path, /^libc\.so/);
});

test("libc: adjtimex reads this machine's clock state, and its status agrees with the state", async () => {
  const reading = (await libc()).adjtimex();
  assert.ok(reading, "adjtimex failed");
  assert.ok(Number.isInteger(reading.state) && reading.state >= 0 && reading.state <= TIME_ERROR, `${reading.state}`);
  // The status word is read at its offset in struct timex: only the 16 defined STA_* bits can be set.
  assert.ok(Number.isInteger(reading.status) && reading.status >= 0 && reading.status < 0x10000, `${reading.status}`);
  // The kernel answers TIME_ERROR whenever the clock is unsynchronized or faulty.
  if (reading.status & (STA_UNSYNC | STA_CLOCKERR)) assert.equal(reading.state, TIME_ERROR);
  // A disciplined clock is never off by more than the kernel's 0.5 s limit.
  assert.ok(Number.isSafeInteger(reading.offsetNs) && Math.abs(reading.offsetNs) <= 500_000_000, `${reading.offsetNs}`);
});

test("libc: madvise answers 0 for MADV_NORMAL on a mapped page and -1 for an unaligned address", async () => {
  const c = await libc();
  const stack = readFileSync("/proc/self/maps", "utf8").split("\n").find((l) => l.endsWith("[stack]"));
  assert.ok(stack, "no [stack] mapping in /proc/self/maps");
  const start = BigInt(`0x${stack.split("-")[0]}`);
  assert.equal(start % PAGE, 0n);
  assert.equal(c.madvise(start, PAGE, MADV_NORMAL), 0);
  assert.equal(c.madvise(start + 1n, PAGE, MADV_NORMAL), -1);
});

test("libc: Deno without --allow-ffi gets no library and the reason, not an exception", () => {
  const libcUrl = new URL("../../src/runtime/libc.ts", import.meta.url).href;
  const code = `const o = await (await import(${
    JSON.stringify(libcUrl)
  })).loadLibc(); console.log(o.libc === undefined ? o.reason : "opened");`;
  const deno = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
  const run = spawnSync(deno, ["run", "--no-check", "--allow-read", "-"], {
    input: code,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), "Deno runs without --allow-ffi");
});
