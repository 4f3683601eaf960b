import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import {
  clockTicksPerSecond,
  cpuSeconds,
  descendants,
  parentPid,
  treeCpuSeconds,
  treeRssKb,
  vmRssKb,
} from "../../scripts/rss.ts";

test("the current process has a plausible VmRSS and CPU time", () => {
  const rss = vmRssKb(process.pid)!;
  assert.ok(rss > 5_000 && rss < 4_000_000, `rss ${rss} kB`);
  const before = cpuSeconds(process.pid)!;
  const end = Date.now() + 300;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  const after = cpuSeconds(process.pid)!;
  assert.ok(after >= before + 0.1, `cpu ${before} -> ${after}`);
  assert.ok(clockTicksPerSecond() > 0);
  assert.equal(parentPid(process.pid), process.ppid);
});

test("a gone process reads as undefined", () => {
  const nonexistent = 2 ** 22 + 1; // above pid_max's highest value
  assert.equal(vmRssKb(nonexistent), undefined);
  assert.equal(cpuSeconds(nonexistent), undefined);
  assert.equal(treeRssKb(nonexistent), undefined);
  assert.equal(treeCpuSeconds(nonexistent), undefined);
});

test("a spawned sleep is a descendant and adds to the tree's figures", async () => {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  try {
    const pid = child.pid!;
    // Wait until the child has exec'd sleep (its VmRSS then is sleep's, a few hundred kB to a few MB).
    for (let i = 0; i < 100 && !/^sleep/.test(readComm(pid)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(descendants(process.pid).includes(pid));
    assert.equal(parentPid(pid), process.pid);
    const childRss = vmRssKb(pid)!;
    assert.ok(childRss > 0 && childRss < 50_000, `sleep rss ${childRss} kB`);
    assert.ok(cpuSeconds(pid)! >= 0);
    const own = vmRssKb(process.pid)!;
    const tree = treeRssKb(process.pid)!;
    assert.ok(tree >= own + childRss - 2_000, `tree ${tree} own ${own} child ${childRss}`);
    assert.ok(treeCpuSeconds(process.pid)! >= cpuSeconds(process.pid)! - 0.05);
  } finally {
    child.kill();
    await new Promise((r) => child.once("exit", r));
  }
});

function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8");
  } catch {
    return "";
  }
}
