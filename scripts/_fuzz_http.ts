/**
 * HTTP sessions for the fuzzer: requests built from the parent's API (`info`, `charts`, `chart`, `data` with
 * random and extreme `after`/`before`/`points`/`group`/`dimensions`/`options`/`format`, `allmetrics` with its
 * formats and `server=`), under the parent's paths and `/host/<x>/` for every identity (the well-behaved
 * child's hostname and GUID in other cases too), with path traversal and bad encodings; sent as one request,
 * a keep-alive series, a pipeline, by a client that never reads, by one that writes a byte at a time, with
 * bodies, odd methods, versions and headers, or as random bytes.
 *
 * @example
 * ```ts
 * import { httpPlan } from "./scripts/_fuzz_http.ts";
 *
 * const plan = httpPlan(new Random(9), targets, 256 * 1024, 5000);
 * console.log(plan.description); // e.g. "http pipeline ×37: GET /api/v1/charts HTTP/1.1 …"
 * ```
 *
 * @module
 */
import type { FuzzTargets } from "./_fuzz_handshake.ts";
import { idText, numberText } from "./_fuzz_lines.ts";
import type { Random } from "./_fuzz_random.ts";
import { type FuzzPlan, type FuzzStep, utf8 } from "./_fuzz_session.ts";

const GROUPS = ["average", "avg", "mean", "min", "max", "sum", "median", "stddev", "incremental-sum", "ses", "des"]
  .concat(["cv", "countif", "percentile", "trimmed-mean", "extremes", ""]);
const FORMATS = ["json", "jsonp", "csv", "tsv", "ssv", "ssvcomma", "array", "html", "markdown", "datatable"]
  .concat(["datasource", "csvjsonarray", ""]);
const OPTIONS = ["jsonwrap", "nonzero", "flip", "reversed", "abs", "absolute", "null2zero", "seconds", "ms"]
  .concat(["milliseconds", "unaligned", "objectrows", "percentage", "match-ids", "match-names", "min2max"])
  .concat(["google_json", "raw", "natural-points", "virtual-points", "anomaly-bit", "all-dimensions", "plan"]);
const ALLMETRICS_FORMATS = ["prometheus", "prometheus_all_hosts", "shell", "json", "bash", ""];
const METHODS = ["POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH", "get", "G ET", "GETT"];

/** A relative or absolute time as 1.37's `after`/`before` take them, or not. */
function timeParam(rng: Random): string {
  const now = Math.floor(Date.now() / 1000);
  return String(rng.pick<string | number>([
    -5,
    -60,
    -600,
    -3600,
    -86400,
    -94608000,
    -100000000,
    99999999999999,
    0,
    now - rng.int(3600),
    now + rng.int(3600),
    -2147483648,
    2 ** 53,
    numberText(rng),
  ]));
}

/** A `dimensions=`/`filter=` pattern: names, wildcards (many of them), negations, regex bait. */
function pattern(rng: Random, targets: FuzzTargets): string {
  switch (rng.int(9)) {
    case 0:
      return "*";
    case 1:
      return `${"*".repeat(rng.logInt(2, 80))}${rng.pick(["Q", "", "user", "*"])}`;
    case 2:
      return Array.from({ length: rng.logInt(2, 30) }, () => rng.text(rng.range(1, 3), "ab")).join("*");
    case 3:
      return Array.from({ length: rng.logInt(1, 2000) }, () => idText(rng, targets.dimensionIds)).join("|");
    case 4:
      return rng.pick(["!*", "!user *", "(a+)+$", ".*", "[", "\\", "*?*?*?", "|".repeat(1000), "!"]);
    case 5:
      return `!${rng.pick(targets.dimensionIds)}|*`;
    default:
      return rng.pick(targets.dimensionIds);
  }
}

/**
 * Percent-encodes a value, mostly; sometimes sends it raw or with a broken escape. A cut may split a surrogate
 * pair of an astral character, which `encodeURIComponent` refuses: each half then goes as U+FFFD.
 */
function encodeValue(rng: Random, value: string): string {
  const r = rng.next();
  if (r < 0.8) return encodeURIComponent(value);
  if (r < 0.9) return value;
  const at = rng.int(value.length + 1);
  return encodeURIComponent(value.slice(0, at).toWellFormed()) +
    rng.pick(["%", "%z", "%zz", "%00", "%ff", "%c0%ae", "%0d%0a"]) + encodeURIComponent(value.slice(at).toWellFormed());
}

function query(rng: Random, params: [string, string][]): string {
  if (rng.chance(0.1)) params.push([rng.text(rng.logInt(1, 20), "abcxyz_"), idText(rng, [])]);
  if (rng.chance(0.05) && params.length > 0) params.push(rng.pick(params));
  rng.shuffle(params);
  return params.map(([k, v]) => `${k}=${encodeValue(rng, v)}`).join(rng.chance(0.95) ? "&" : rng.pick(["&&", ";"]));
}

function maybe(rng: Random, p: number, name: string, value: () => string, into: [string, string][]): void {
  if (rng.chance(p)) into.push([name, value()]);
}

function dataQuery(rng: Random, targets: FuzzTargets): string {
  const p: [string, string][] = [];
  maybe(rng, 0.95, "chart", () => rng.chance(0.9) ? rng.pick(targets.chartIds) : idText(rng, targets.chartIds), p);
  maybe(rng, 0.7, "after", () => timeParam(rng), p);
  maybe(rng, 0.4, "before", () => timeParam(rng), p);
  maybe(rng, 0.5, "points", () => String(rng.pick<string | number>([0, 1, 10, 1000, 86400, 2 ** 31 - 1, -1])), p);
  maybe(rng, 0.4, "group", () => rng.chance(0.9) ? rng.pick(GROUPS) : idText(rng, []), p);
  maybe(rng, 0.2, "gtime", () => numberText(rng), p);
  maybe(rng, 0.3, "dimensions", () => pattern(rng, targets), p);
  maybe(rng, 0.5, "options", () => {
    const words = Array.from(
      { length: rng.logInt(1, 12) },
      () => rng.chance(0.9) ? rng.pick(OPTIONS) : idText(rng, []),
    );
    return words.join(rng.pick([",", "|", " "]));
  }, p);
  maybe(rng, 0.5, "format", () => rng.chance(0.9) ? rng.pick(FORMATS) : idText(rng, []), p);
  maybe(rng, 0.05, rng.pick(["callback", "filename", "tqx", "label"]), () => idText(rng, []), p);
  return query(rng, p);
}

function allmetricsQuery(rng: Random, targets: FuzzTargets): string {
  const p: [string, string][] = [];
  maybe(rng, 0.95, "format", () => rng.chance(0.9) ? rng.pick(ALLMETRICS_FORMATS) : idText(rng, []), p);
  maybe(rng, 0.3, "server", () => rng.text(rng.logInt(1, 8192), 'abcdefghijklmnopqrstuvwxyz0123456789\r\x1b"\\'), p);
  maybe(rng, 0.2, "prefix", () => idText(rng, []), p);
  maybe(rng, 0.2, "names", () => rng.pick(["yes", "no", ""]), p);
  maybe(rng, 0.2, "timestamps", () => rng.pick(["yes", "no", ""]), p);
  maybe(rng, 0.2, "filter", () => pattern(rng, targets), p);
  maybe(
    rng,
    0.2,
    rng.pick(["source", "data"]),
    () => rng.pick(["average", "sum", "volume", "as-collected", "raw", "x"]),
    p,
  );
  maybe(rng, 0.1, rng.pick(["variables", "help", "types"]), () => rng.pick(["yes", "no"]), p);
  return query(rng, p);
}

/** `/host/<x>` for some identity, or nothing (the parent itself). */
function hostPrefix(rng: Random, targets: FuzzTargets): string {
  if (rng.chance(0.45)) return "";
  const id = rng.pick([
    targets.childHostname,
    targets.childHostname,
    targets.childGuid,
    targets.childGuid.toUpperCase(),
    targets.parentHostname,
    targets.parentGuid,
    `fuzz-${rng.text(8, "0123456789abcdef")}`,
    "",
    "..",
    "%2e%2e",
    "%zz",
    idText(rng, [targets.childHostname]),
  ]);
  return `/host/${encodeValue(rng, id)}`;
}

/** One request target: an API path with its query, or a path meant to escape or confuse the router. */
function target(rng: Random, targets: FuzzTargets): string {
  const host = hostPrefix(rng, targets);
  const command = rng.weighted({ data: 35, allmetrics: 15, chart: 10, charts: 8, info: 8, odd: 14, other: 10 });
  switch (command) {
    case "data":
      return `${host}/api/v1/data?${dataQuery(rng, targets)}`;
    case "allmetrics":
      return `${host}/api/v1/allmetrics?${allmetricsQuery(rng, targets)}`;
    case "chart":
      return `${host}/api/v1/chart?chart=${encodeValue(rng, idText(rng, targets.chartIds))}`;
    case "charts":
    case "info":
      return `${host}/api/v1/${command}${rng.chance(0.1) ? `?${query(rng, [])}` : ""}`;
    case "odd":
      return rng.pick([
        "/../../../../etc/passwd",
        "/api/v1/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        `${host}/api/v1/data/../info`,
        "//api//v1//info",
        "/api/v1/info%00",
        "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/api/v1/info?%",
        "http://127.0.0.1/api/v1/info",
        "*",
        "",
        "/api/v1/" + "a/".repeat(rng.logInt(1, 5000)),
        `/api/v1/data?${"chart=system.cpu&".repeat(rng.logInt(1, 2000))}`,
        "/host/" + "x".repeat(rng.logInt(100, 12_000)) + "/api/v1/info",
      ]);
    default:
      return `${host}${
        rng.pick(["/", "/api/v1/", "/api/v1/alarms", "/api/v1/badge.svg", "/api/v2/data", "/index.html"])
      }`;
  }
}

/** A request's bytes: `method target version`, the headers, the blank line, a body. */
function request(
  parts: { method?: string; target: string; version?: string; headers?: readonly string[]; body?: string },
): string {
  const head = [`${parts.method ?? "GET"} ${parts.target} ${parts.version ?? "HTTP/1.1"}`, "Host: 127.0.0.1"]
    .concat(parts.headers ?? []);
  return `${head.join("\r\n")}\r\n\r\n${parts.body ?? ""}`;
}

/**
 * Requests built by `make` until `count` or `maxBytes`: the text, how many it holds, and a summary that
 * names them.
 */
function repeated(
  count: number,
  maxBytes: number,
  make: () => string,
): { text: string; count: number; summary: string } {
  let text = "";
  let n = 0;
  let first = "";
  while (n < count) {
    const next = make();
    if (text.length + next.length > maxBytes && n > 0) break;
    first ||= next;
    text += next;
    n++;
  }
  return { text, count: n, summary: `${n} requests, the first: ${first}` };
}

/**
 * One HTTP session of at most `maxBytes` bytes written, to be played within `deadlineMs`.
 *
 * @example
 * ```ts
 * httpPlan(rng, targets, 1 << 20, 5000).steps.length; // 1 for a single request
 * ```
 */
export function httpPlan(rng: Random, targets: FuzzTargets, maxBytes: number, deadlineMs: number): FuzzPlan {
  const mode = rng.weighted({
    single: 38,
    series: 10,
    pipeline: 12,
    notReading: 5,
    slowWriter: 4,
    body: 6,
    headers: 8,
    method: 6,
    version: 4,
    garbage: 7,
  });
  const steps: FuzzStep[] = [];
  const write = (text: string | Uint8Array, requests: number, chunkBytes?: number, gapMs?: number) =>
    steps.push({ kind: "write", bytes: typeof text === "string" ? utf8(text) : text, requests, chunkBytes, gapMs });
  const close = rng.chance(0.3) ? ["Connection: close"] : [];
  let first = "";
  let noRead = false;
  let lingerMs = deadlineMs;
  switch (mode) {
    case "single":
      write(first = request({ target: target(rng, targets), headers: close }), 1);
      break;
    case "series":
      for (let i = rng.range(2, 20); i > 0; i--) {
        const text = request({ target: target(rng, targets) });
        first ||= text;
        write(text, 1);
        steps.push({ kind: "await-reply", ms: deadlineMs });
      }
      break;
    case "pipeline": {
      const fixed = rng.chance(0.5) ? target(rng, targets) : undefined;
      const { text, count } = repeated(
        rng.logInt(2, 300),
        maxBytes,
        () => request({ target: fixed ?? target(rng, targets) }),
      );
      write(first = text, count, rng.chance(0.8) ? undefined : rng.logInt(1, 4096));
      break;
    }
    case "notReading": {
      const path = rng.pick(["/api/v1/charts", "/api/v1/info", `/host/${targets.childHostname}/api/v1/charts`]);
      const { text, count, summary } = repeated(rng.logInt(100, 50_000), maxBytes, () => request({ target: path }));
      write(text, count);
      first = summary.replace("the first", "all");
      noRead = true;
      lingerMs = rng.range(500, deadlineMs);
      break;
    }
    case "slowWriter": {
      const text = request({ target: target(rng, targets) });
      const unfinished = rng.chance(0.5) ? text.slice(0, -2) : text;
      write(first = unfinished, 1, rng.range(1, 5), rng.range(50, 400));
      break;
    }
    case "body": {
      const inner = request({ target: target(rng, targets) });
      const body = rng.chance(0.5) ? inner : rng.text(rng.logInt(1, 65536), 'abc\r\n{}"');
      const chunked = rng.chance(0.3);
      const headers = chunked
        ? ["Transfer-Encoding: chunked"]
        : [`Content-Length: ${rng.chance(0.8) ? body.length : rng.pick([0, -1, body.length * 2, 2 ** 53])}`];
      const sent = chunked ? `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n` : body;
      write(
        first = request({
          method: rng.chance(0.5) ? "POST" : "GET",
          target: target(rng, targets),
          headers,
          body: sent,
        }),
        1,
      );
      break;
    }
    case "headers": {
      const headers = rng.pick([
        () => [`X-Big: ${"b".repeat(rng.logInt(1000, 100_000))}`],
        () => Array.from({ length: rng.logInt(10, 5000) }, (_, i) => `X-${i}: ${i}`),
        () => ["X-CR: a\rb", "Host: second"],
        () => ["Cookie: " + "c=1; ".repeat(rng.logInt(1, 10_000))],
        () => ["Upgrade: websocket", "Connection: Upgrade", "Expect: 100-continue"],
        () => [": no name", "no colon", " leading: space"],
      ])();
      write(first = request({ target: target(rng, targets), headers }), 1);
      break;
    }
    case "method":
      write(first = request({ method: rng.pick(METHODS), target: target(rng, targets) }), 1);
      break;
    case "version": {
      const version = rng.pick(["HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "", "HTTP/1.1 x", "HTTP/1.10"]);
      const text = request({ target: target(rng, targets), version });
      write(first = rng.chance(0.3) ? text.replaceAll("\r\n", "\n") : text, 1);
      break;
    }
    default: {
      const bytes = rng.pick([
        () => rng.bytes(rng.logInt(1, 65536)),
        () => Uint8Array.from([0x16, 0x03, 0x01, ...rng.bytes(rng.logInt(1, 512))]),
        () => utf8("\r\n".repeat(rng.logInt(1, 10_000))),
        () => new Uint8Array(rng.logInt(1, 65536)),
        () => utf8(`GET ${"/".repeat(rng.logInt(1, 100_000))}`),
      ])();
      first = `${bytes.length} random bytes`;
      write(bytes, 0, rng.chance(0.5) ? undefined : rng.logInt(1, 1024));
      lingerMs = rng.range(100, 1000);
    }
  }
  const summary = first.length > 600 ? `${first.slice(0, 600)}…` : first;
  return {
    kind: "http",
    description: `http ${mode}: ${JSON.stringify(summary)}`,
    steps,
    noRead,
    lingerMs,
  };
}
