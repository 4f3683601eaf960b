/**
 * The parent's memory over repeated large API answers: N simulated 1.37 children (tests/_sim_child.ts) stream
 * into a parent in real time while a client asks for the largest answers we know, one after the other, several
 * rounds each; the parent's VmRSS is read before the first request and after each answer. A parent whose memory
 * is bounded levels off after the first rounds; one that keeps answers (or their garbage) grows round after round.
 *
 * ```sh
 * bash scripts/bench.sh api-memory [options]       # or: npm run bench:api-memory -- [options]
 * node_modules/.bin/bun scripts/bench_api_memory.ts --children 100 --rounds 10
 * node_modules/.bin/bun scripts/bench_api_memory.ts --parents netdata,rill --children 100   # with a ratio
 * MIMALLOC_PURGE_DELAY=0 node_modules/.bin/bun scripts/bench_api_memory.ts --parents rill   # env reaches the parent
 * node_modules/.bin/deno run -A scripts/bench_api_memory.ts --parents rill --source          # rill on Deno, from source
 * ```
 *
 * Options: `--parents rill` (`netdata,rill` for both, one after the other), `--children N` (100; the first is the
 * hardening harness's watched child), `--charts N` (the capture's 308 per child), `--rounds R` (10) answers per
 * request, `--warmup S` (20) seconds of streaming before the first request, `--timeout S` (60) per answer,
 * `--only <substring>` to ask only the requests whose label holds it, `--source` to run rill-parent from
 * `src/cli/parent.ts` on this script's runtime instead of the compiled (Bun) binary.
 *
 * The parents are the hardening harness's (tests/e2e/_hardening.ts), in ram mode; the environment of this
 * script is the parent's (so `MIMALLOC_*` and `BUN_JSC_*` variables reach a compiled rill-parent). RSS is VmRSS
 * of the parent's main process, read right after each answer's last byte; "growth" is the final RSS minus the
 * RSS after the first answer of all, what the answers left behind.
 *
 * @module
 */
import process from "node:process";
import { formatTable, sleep, within } from "./_bench_common.ts";
import { readFlags, readLoadFlag } from "./_cli_args.ts";
import { httpGet } from "../tests/_http_client.ts";
import { type SimLoad, simLoad, SimulatedChild } from "../tests/_sim_child.ts";
import { type HardeningParentKind, hardeningSkip, startHardening, vmRssKiB } from "../tests/e2e/_hardening.ts";

interface Options {
  parents: HardeningParentKind[];
  children: number;
  charts: number | undefined;
  rounds: number;
  warmup: number;
  timeout: number;
  only: string | undefined;
  source: boolean;
}

function usage(problem: string): never {
  console.error(`bench_api_memory.ts: ${problem}
usage: bench_api_memory.ts [--parents rill] [--children 100] [--charts N] [--rounds 10] [--warmup 20]
                           [--timeout 60] [--only <label substring>] [--source]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    parents: ["rill"],
    children: 100,
    charts: undefined,
    rounds: 10,
    warmup: 20,
    timeout: 60,
    only: undefined,
    source: false,
  };
  readFlags(argv, usage, (flag, arg) => {
    switch (flag) {
      case "--parents":
        o.parents = arg.list(["netdata", "rill"]);
        return true;
      case "--charts":
        o.charts = Math.trunc(arg.number(1));
        return true;
      case "--rounds":
        o.rounds = Math.trunc(arg.number(1));
        return true;
      case "--timeout":
        o.timeout = arg.number(1);
        return true;
      case "--only":
        o.only = arg.value();
        return true;
      case "--source":
        o.source = true;
        return true;
      default:
        return readLoadFlag(o, flag, arg);
    }
  });
  return o;
}

/** A request to repeat: what the table calls it and its target. */
interface Probe {
  readonly label: string;
  readonly target: string;
}

/** The largest answers: data of the widest chart in several formats, every host's metrics, a host's charts. */
function probes(child: string, widest: string): Probe[] {
  const data = (query: string) => `/host/${child}/api/v1/data?chart=${widest}&${query}`;
  return [
    { label: "data json points=86400", target: data("after=-86400&points=86400&format=json") },
    { label: "data csv jsonwrap points=86400", target: data("after=-86400&points=86400&format=csv&options=jsonwrap") },
    { label: "allmetrics prometheus_all_hosts", target: "/api/v1/allmetrics?format=prometheus_all_hosts" },
    { label: "charts (child)", target: `/host/${child}/api/v1/charts` },
    { label: "allmetrics json (child)", target: `/host/${child}/api/v1/allmetrics?format=json` },
  ];
}

/** One parent's figures for one request. */
interface Row {
  readonly label: string;
  readonly bytes: number;
  readonly answers: number;
  readonly statuses: string;
  /** VmRSS after each answer, KiB. */
  readonly rssKiB: number[];
}

const mib = (kib: number) => (kib / 1024).toFixed(0);

async function runParent(kind: HardeningParentKind, options: Options, load: SimLoad): Promise<string[]> {
  const timeoutMs = options.timeout * 1000;
  const h = await startHardening({
    parent: kind,
    childCharts: options.charts,
    requestTimeoutMs: timeoutMs,
    fromSource: options.source,
  });
  const children = Array.from(
    { length: options.children - 1 },
    (_, i) => new SimulatedChild({ hostname: `bench-child-${i + 1}`, load }),
  );
  const streams: Promise<void>[] = [];
  const rows: Row[] = [];
  let startKiB = 0;
  let peakKiB = 0;
  try {
    for (let i = 0; i < children.length; i += 25) {
      const batch = children.slice(i, i + 25);
      await within(Promise.all(batch.map((c) => c.start(h.port))), 60_000);
      for (const c of batch) if (c.streaming && c.failure === undefined) streams.push(c.streamRealTime());
    }
    console.log(`${h.label}: ${streams.length + 1} children streaming; ${options.warmup} s warm-up …`);
    await sleep(options.warmup * 1000);
    startKiB = vmRssKiB(h.pid);
    peakKiB = startKiB;
    console.log(`${h.label}: RSS before the first request ${mib(startKiB)} MiB`);
    const widest = load.charts.reduce((a, b) => b.dimensions.length > a.dimensions.length ? b : a);
    const chosen = probes(h.child.hostname, widest.id)
      .filter((p) => options.only === undefined || p.label.includes(options.only));
    for (const probe of chosen) {
      const row: Row = { label: probe.label, bytes: 0, answers: 0, statuses: "", rssKiB: [] };
      const statuses = new Set<string>();
      for (let r = 0; r < options.rounds && h.alive(); r++) {
        const answer = await httpGet(h.port, probe.target, { timeoutMs });
        statuses.add(answer.status === undefined ? answer.error ?? "no answer" : `${answer.status}`);
        const rss = vmRssKiB(h.pid);
        peakKiB = Math.max(peakKiB, rss);
        row.rssKiB.push(rss);
        Object.assign(row, { bytes: Math.max(row.bytes, answer.body.length), answers: row.answers + 1 });
      }
      Object.assign(row, { statuses: [...statuses].join(",") });
      rows.push(row);
      console.log(
        `  ${h.label}: ${probe.label}: ${row.statuses}, ${row.bytes.toLocaleString("en-US")} bytes, RSS after each ` +
          `answer (MiB): ${row.rssKiB.map(mib).join(" ")}`,
      );
    }
  } finally {
    for (const c of children) c.stop(true);
    await Promise.all(streams);
  }
  const finalKiB = vmRssKiB(h.pid);
  await h.stop({ kill: !h.alive() });
  const firstKiB = rows[0]?.rssKiB[0] ?? startKiB;
  const table = formatTable(
    ["request", "status", "bytes", "answers", "RSS after 1st MiB", "RSS after last MiB", "max MiB"],
    rows.map((r) => [
      r.label,
      r.statuses,
      r.bytes.toLocaleString("en-US"),
      `${r.answers}`,
      mib(r.rssKiB[0] ?? 0),
      mib(r.rssKiB[r.rssKiB.length - 1] ?? 0),
      mib(Math.max(0, ...r.rssKiB)),
    ]),
  );
  return [
    `${h.label}${options.source && kind === "rill" ? " (from source)" : ""}:`,
    ...table,
    `${h.label}: RSS before ${mib(startKiB)} MiB, after the first answer ${mib(firstKiB)} MiB, peak ${
      mib(peakKiB)
    } MiB, final ${mib(finalKiB)} MiB, growth ${mib(finalKiB - firstKiB)} MiB`,
  ];
}

const options = parseOptions(process.argv.slice(2));
const load = simLoad({ count: options.charts });
const tuned = Object.keys(process.env).filter((k) => /^(MIMALLOC_|BUN_JSC_)/.test(k));
console.log(
  `${options.children} children × ${load.charts.length} charts, ${options.rounds} rounds per request; parents: ${
    options.parents.join(", ")
  }; runtime: ${"Bun" in globalThis ? "bun" : "deno"}; environment: ${
    tuned.map((k) => `${k}=${process.env[k]}`).join(" ") || "no MIMALLOC_/BUN_JSC_ variables"
  }`,
);
const report: string[] = [];
for (const kind of options.parents) {
  const skip = hardeningSkip(kind);
  if (skip !== undefined) {
    report.push(`${kind}: not measured: ${skip}`);
    continue;
  }
  report.push(...await runParent(kind, options, load));
}
console.log(`\n${report.join("\n")}`);
