/**
 * The fuzzer's STREAM requests: a real 1.37 handshake under a fresh identity for every session, or, when
 * mutated, one that attacks the parent's identities (the well-behaved child's hostname or GUID, in other
 * letter cases, the parent's own GUID), its number fields, its encoding and its framing.
 *
 * @example
 * ```ts
 * import { Random } from "./scripts/_fuzz_random.ts";
 * import { streamHandshake } from "./scripts/_fuzz_handshake.ts";
 *
 * const { text, notes } = streamHandshake(new Random(3), captureHead, targets, true);
 * ```
 *
 * @module
 */
import type { KnownIds } from "./_fuzz_lines.ts";
import { idText, numberText } from "./_fuzz_lines.ts";
import type { Random } from "./_fuzz_random.ts";

/**
 * Who the fuzzer aims at: the well-behaved child, the parent itself, and the child's charts.
 *
 * @example
 * ```ts
 * const targets: FuzzTargets = {
 *   childHostname: "well-behaved-child", childGuid, parentHostname: "rill-parent-under-test", parentGuid,
 *   chartIds: ["system.cpu"], dimensionIds: ["user"],
 * };
 * ```
 */
export interface FuzzTargets extends KnownIds {
  readonly childHostname: string;
  readonly childGuid: string;
  readonly parentHostname: string;
  readonly parentGuid: string;
}

const NUMERIC_FIELDS = ["ver", "update_every", "utc_offset", "hops", "ml_capable", "ml_enabled", "mc_version"];
const BAD_ENCODINGS = ["%", "%z", "%zz", "%00", "%0d%0a", "%ff%fe", "+", "%%", "%2", "&", "=", "\x1b[31m"];

function hostnameVariant(rng: Random, targets: FuzzTargets): string {
  return rng.pick([
    targets.childHostname,
    targets.childHostname.toUpperCase(),
    targets.parentHostname,
    "localhost",
    "",
    "..",
    "a/b",
    `x\x1by\rz`,
    rng.text(rng.logInt(256, 20_000), "abcdefghij"),
    idText(rng, [targets.childHostname]),
  ]);
}

function guidVariant(rng: Random, targets: FuzzTargets): string {
  return rng.pick([
    targets.childGuid,
    targets.childGuid.toUpperCase(),
    targets.parentGuid,
    targets.parentGuid.toUpperCase(),
    `{${targets.childGuid}}`,
    `${targets.childGuid} `,
    targets.childGuid.replaceAll("-", ""),
    "not-a-guid",
    "",
    "00000000-0000-0000-0000-000000000000",
    idText(rng, [targets.childGuid]),
  ]);
}

type Pair = [string, string];

/** One change to the request's fields; returns what it did, for the session's description. */
function mutateFields(rng: Random, pairs: Pair[], targets: FuzzTargets): string {
  const set = (name: string, value: string) => {
    const at = pairs.findIndex(([k]) => k === name);
    if (at < 0) pairs.push([name, value]);
    else pairs[at] = [name, value];
  };
  switch (rng.int(9)) {
    case 0: {
      const value = hostnameVariant(rng, targets);
      set("hostname", value);
      if (rng.chance(0.5)) set("registry_hostname", value);
      return `hostname=${JSON.stringify(value.slice(0, 40))}`;
    }
    case 1: {
      const value = guidVariant(rng, targets);
      set("machine_guid", value);
      return `machine_guid=${JSON.stringify(value.slice(0, 40))}`;
    }
    case 2: {
      const value = rng.pick(["", rng.uuid(), "11111111-2222-3333-4444-555555555555".toUpperCase(), "x"]);
      set("key", value);
      return `key=${JSON.stringify(value)}`;
    }
    case 3: {
      const name = rng.pick(NUMERIC_FIELDS);
      const value = numberText(rng);
      set(name, value);
      return `${name}=${JSON.stringify(value.slice(0, 40))}`;
    }
    case 4: {
      const removed = pairs.splice(rng.int(pairs.length), 1)[0];
      return `without ${removed?.[0]}`;
    }
    case 5: {
      const [name] = rng.pick(pairs);
      pairs.push([name, idText(rng, [])]);
      return `${name} twice`;
    }
    case 6: {
      const count = rng.logInt(1, 5000);
      for (let i = 0; i < count; i++) pairs.push([`x${i}`, rng.text(rng.logInt(1, 100), "abcdef")]);
      return `${count} extra fields`;
    }
    case 7: {
      const at = rng.int(pairs.length);
      const bad = rng.pick(BAD_ENCODINGS);
      pairs[at] = [pairs[at][0], pairs[at][1] + bad];
      return `${pairs[at][0]} ends in ${JSON.stringify(bad)}`;
    }
    default: {
      const tags = rng.text(rng.logInt(100, 60_000), "abc,=%");
      set("tags", tags);
      return `tags of ${tags.length} bytes`;
    }
  }
}

/** One change to the request line or the headers around the fields. */
function mutateFraming(rng: Random, parts: { line: [string, string, string]; headers: string[]; end: string }): string {
  switch (rng.int(8)) {
    case 0:
      parts.line[0] = rng.pick(["stream", "STREAM ", "STREAMS", "GET", ""]);
      return `method ${JSON.stringify(parts.line[0])}`;
    case 1:
      parts.line[2] = rng.pick(["HTTP/1.0", "HTTP/2.0", "", "HTTP/1.1 extra", "http/1.1"]);
      return `version ${JSON.stringify(parts.line[2])}`;
    case 2:
      parts.headers = [];
      return "no headers";
    case 3:
      parts.headers.push(`X-Fuzz: ${"h".repeat(rng.logInt(1000, 40_000))}`);
      return "a huge header";
    case 4:
      parts.headers.push(rng.pick(["no colon here", ": empty name", "Bad\0Header: x", "X: a\rb"]));
      return "a malformed header";
    case 5:
      parts.end = "\n";
      return "LF line ends";
    case 6:
      parts.end = "";
      return "no blank line (the head never ends)";
    default:
      parts.headers.push(...Array.from({ length: rng.logInt(10, 2000) }, (_, i) => `X-${i}: ${i}`));
      return "many headers";
  }
}

/**
 * A STREAM request head (with its blank line) built from a capture's: a fresh hostname and GUID drawn from
 * `rng`; `mutate` adds 1–4 changes to fields or framing. `notes` says what changed.
 *
 * @example
 * ```ts
 * streamHandshake(rng, head, targets, false).text; // "STREAM key=…&hostname=fuzz-1a2b3c4d&… HTTP/1.1\r\n…\r\n\r\n"
 * ```
 */
export function streamHandshake(
  rng: Random,
  captureHead: string,
  targets: FuzzTargets,
  mutate: boolean,
): { text: string; notes: string[] } {
  const [requestLine, ...headers] = captureHead.split("\r\n").filter((l) => l !== "");
  const match = /^(\S+) (\S.*) (HTTP\/\S+)$/.exec(requestLine);
  if (match === null) {
    throw new Error(`expected a 'STREAM <fields> HTTP/1.1' line, found '${requestLine.slice(0, 80)}'`);
  }
  const pairs: Pair[] = match[2].split("&").map((f) => {
    const eq = f.indexOf("=");
    return eq < 0 ? [f, ""] : [f.slice(0, eq), f.slice(eq + 1)];
  });
  const hostname = `fuzz-${rng.text(8, "0123456789abcdef")}`;
  for (const pair of pairs) {
    if (pair[0] === "hostname" || pair[0] === "registry_hostname") pair[1] = hostname;
    if (pair[0] === "machine_guid") pair[1] = rng.uuid();
  }
  const parts = { line: [match[1], "", match[3]] as [string, string, string], headers, end: "\r\n" };
  const notes: string[] = [];
  if (mutate) {
    for (let i = rng.range(1, 4); i > 0; i--) {
      notes.push(rng.chance(0.7) ? mutateFields(rng, pairs, targets) : mutateFraming(rng, parts));
    }
  }
  parts.line[1] = pairs.map(([k, v]) => `${k}=${v}`).join("&");
  const eol = parts.end === "\n" ? "\n" : "\r\n";
  const text = [parts.line.join(" "), ...parts.headers].join(eol) + eol + parts.end;
  return { text, notes };
}
