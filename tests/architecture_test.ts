// The rooms of ../shared/DESIGN.md and what each may import, checked on the source (sources, stream and
// metrics never reach src/parent/), plus the collector binary's bundle: protocol, config, runtime, metrics,
// sources, stream and its CLI entry, nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Room → rooms it may import (itself always allowed).
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  config: ["protocol"],
  runtime: [],
  metrics: ["protocol"],
  sources: ["metrics", "protocol", "runtime", "config"],
  stream: ["metrics", "protocol", "config", "runtime"],
  "parent/receiver": ["metrics", "protocol", "config", "runtime", "parent/storage"],
  "parent/storage": ["metrics", "runtime", "protocol"],
  // The API reads protocol names (system info keys), typed config (the [web] section) and the metrics model.
  "parent/web": ["parent/receiver", "parent/storage", "parent/health", "runtime", "metrics", "protocol", "config"],
};

function roomOf(path: string): string {
  const parts = relative(join(root, "src"), path).split("/");
  return parts[0] === "parent" ? `parent/${parts[1]}` : parts[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

const IMPORT = /^\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/gm;

test("rooms import only what ../shared/DESIGN.md allows, and only src/runtime/ names Deno or Bun", () => {
  const problems: string[] = [];
  for (const file of sourceFiles(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    const room = roomOf(file);
    for (const [, spec] of text.matchAll(IMPORT)) {
      if (!spec.startsWith(".")) continue;
      const target = roomOf(normalize(join(dirname(file), spec)));
      const allowed = MAY_IMPORT[room];
      if (target !== room && allowed !== undefined && !allowed.includes(target)) {
        problems.push(`${relative(root, file)} (${room}) imports ${spec} (${target})`);
      }
    }
    if (room !== "runtime" && /\b(Deno|Bun)\.[a-zA-Z]/.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))) {
      problems.push(`${relative(root, file)} uses a Deno or Bun API outside src/runtime/`);
    }
  }
  assert.deepEqual(problems, []);
});

const inputs = join(root, "dist", "rill-collector.inputs.txt");

test("the collector binary holds only the collector's rooms: no parent code", {
  skip: existsSync(inputs) ? false : "dist/rill-collector.inputs.txt is missing: run scripts/build.sh",
}, () => {
  const files = readFileSync(inputs, "utf8").trim().split("\n");
  assert.ok(files.includes("src/cli/collector.ts") && files.some((f) => f.startsWith("src/stream/")));
  const foreign = files.filter((f) =>
    !/^src\/(protocol|config|runtime|metrics|sources|stream)\/|^src\/cli\/(collector|_[a-z_]+)\.ts$/.test(f)
  );
  assert.deepEqual(foreign, []);
});
