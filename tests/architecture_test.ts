// The rooms of ../shared/DESIGN.md and what each may import, read from the document's table itself (so that
// the test checks exactly that table), plus its "Never" rules: only src/runtime/ names Deno or Bun, protocol
// and metrics use no `node:` module, the collector's entry reaches nothing under src/parent/, and the collector
// binary's bundle holds protocol, config, runtime, metrics, sources, stream and its CLI entry, nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DESIGN = join(root, "..", "shared", "DESIGN.md");

/** What a room may import: whole rooms, and rooms it may reach only through the listed files. */
interface Allowed {
  readonly rooms: readonly string[];
  readonly through: Readonly<Record<string, readonly string[]>>;
}

// The table names parent rooms by their last word ("storage"); a room's folder gives its key ("parent/web").
const ROOM_WORDS: Readonly<Record<string, string>> = {
  storage: "parent/storage",
  receiver: "parent/receiver",
  health: "parent/health",
  web: "parent/web",
};

// "<room> only to …" in the table: the files that qualifier leaves open. Web hands a STREAM to the receiver
// through the handover type only.
const QUALIFIED: Readonly<Record<string, readonly string[]>> = {
  "parent/web -> parent/receiver": ["src/parent/receiver/incoming.ts"],
};

/** The rooms table of DESIGN.md: room → what it may import ("everything above" expanded). */
function designRooms(): Map<string, Allowed> {
  const rooms = new Map<string, Allowed>();
  for (const line of readFileSync(DESIGN, "utf8").split("\n")) {
    const row = /^\| `(src\/[a-z/]+\/|mod\.ts)` \|[^|]*\| (.*) \|$/.exec(line);
    if (row === null) continue;
    const room = row[1] === "mod.ts" ? "mod" : row[1].slice(4, -1);
    const allowed: string[] = [];
    const through: Record<string, readonly string[]> = {};
    for (const item of row[2].split(/[,;]/).map((i) => i.trim())) {
      if (item === "nothing of ours" || item.startsWith("each entry only")) continue;
      if (item === "everything above") {
        allowed.push(...rooms.keys());
        continue;
      }
      const [word, qualifier] = item.split(" only ");
      const target = ROOM_WORDS[word] ?? word;
      if (qualifier === undefined) {
        allowed.push(target);
        continue;
      }
      const files = QUALIFIED[`${room} -> ${target}`];
      assert.ok(files !== undefined, `DESIGN.md: '${item}' in the row of ${room} has no files in QUALIFIED`);
      through[target] = files;
    }
    rooms.set(room, { rooms: allowed, through });
  }
  return rooms;
}

function roomOf(path: string): string {
  const rel = relative(root, path);
  if (rel === "mod.ts") return "mod";
  const parts = relative(join(root, "src"), path).split("/");
  return parts[0] === "parent" ? `parent/${parts[1]}` : parts[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

const IMPORT = /^\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/gm;

/** The relative imports of a file, as paths from the repository root. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)]
    .map(([, spec]) => spec)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => relative(root, normalize(join(dirname(file), spec))));
}

test("DESIGN.md's rooms table is read whole: every room of src/ has a row", () => {
  const rooms = designRooms();
  const present = new Set(sourceFiles(join(root, "src")).map(roomOf));
  assert.deepEqual([...present].filter((room) => !rooms.has(room)), []);
  assert.deepEqual(rooms.get("protocol"), { rooms: [], through: {} });
  assert.deepEqual(rooms.get("parent/web")?.through, { "parent/receiver": ["src/parent/receiver/incoming.ts"] });
  assert.ok(rooms.get("cli")?.rooms.includes("parent/web"), "the cli row's 'everything above'");
});

test("rooms import only what ../shared/DESIGN.md allows, and only src/runtime/ names Deno or Bun", () => {
  const rooms = designRooms();
  const problems: string[] = [];
  for (const file of [...sourceFiles(join(root, "src")), join(root, "mod.ts")]) {
    const room = roomOf(file);
    const allowed = rooms.get(room);
    for (const target of importsOf(file)) {
      const targetRoom = roomOf(join(root, target));
      if (targetRoom === room || allowed?.rooms.includes(targetRoom)) continue;
      if (allowed?.through[targetRoom]?.includes(target)) continue;
      problems.push(`${relative(root, file)} (${room}) imports ${target} (${targetRoom})`);
    }
    const code = readFileSync(file, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    if (room !== "runtime" && /\b(Deno|Bun)\.[a-zA-Z]/.test(code)) {
      problems.push(`${relative(root, file)} uses a Deno or Bun API outside src/runtime/`);
    }
    if ((room === "protocol" || room === "metrics") && /from\s+["']node:/.test(code)) {
      problems.push(`${relative(root, file)} imports a node: module in ${room}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the collector's entry reaches nothing under src/parent/, however indirectly", () => {
  const seen = new Set<string>();
  const pending = ["src/cli/collector.ts"];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...importsOf(join(root, file)));
  }
  assert.deepEqual([...seen].filter((f) => f.startsWith("src/parent/")), []);
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
