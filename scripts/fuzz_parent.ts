/**
 * Fuzzes the compiled rill-parent (`bash scripts/build.sh` first): while a well-behaved simulated child
 * streams into it in real time and a watcher reads that child's `system.cpu`, it runs sessions, one after the
 * other or `--parallel N` at a time, each one connection to 127.0.0.1 bounded in bytes and time:
 *
 * - **stream**: a valid handshake, then a window of a real capture (`netdata-1.37-child-stream.txt`, `-v4`,
 *   `proxy-stream.txt`) with mutations: bytes flipped, lines duplicated, deleted, shuffled, keywords swapped,
 *   numbers made extreme, long lines, broken quoting, random bytes, generated CHART/DIMENSION/BEGIN/SET/END/
 *   RBEGIN/RSET/REND/CLABEL/HOST/RHOST… lines with random fields, floods of charts, dimensions and labels;
 * - **handshake**: the STREAM request mutated (identities of the child and the parent in other cases, number
 *   fields, encodings, framing), sometimes followed by a stream;
 * - **http**: API requests with random and extreme parameters, under every `/host/<x>/`, path traversal, bad
 *   encodings, pipelines, a client that never reads, a client that writes a byte at a time, bodies, odd
 *   methods, versions and headers, random bytes.
 *
 * Sessions connect from 127.0.0.2 … 127.0.0.250 in turn, so that the parent's cap on connections per address
 * (64) never refuses the watcher or the health probes (127.0.0.1). After each session the parent must answer
 * `/api/v1/info` within `--hang-seconds`; one that exited or did not answer is a crash: counted once with the
 * seeds of every session then in flight (just the one when sequential; with `--parallel` any of them may be
 * the culprit), killed, started again while the other sessions wait. The seeds and their sessions are the same
 * whatever `--parallel`, so a report's seeds replay one by one with `--replay` (or together, with
 * `--parallel`, for a crash that needs them at once). One parent takes all the sessions unless
 * `--sessions-per-parent N` asks for a fresh one every N (once the well-behaved child's data was seen
 * advancing). Each fuzz stream comes with a new GUID and leaves a disconnected host behind, of which the parent
 * keeps at most `[db] max orphan hosts` (500): 20,000 sessions peaked at 1.5 GB of RSS (4.2 GB after 10,000
 * before the parent forgot any).
 * It prints progress (elapsed time, sessions/s) every 1,000 sessions (every 50 in runs under 2,000); at the
 * end the sessions, the crashes and their seeds, the largest RSS, the well-behaved child's longest stall, the
 * longest API answers and the slowest sessions (with, under `--parallel`, the seeds that ran alongside each).
 *
 * Throughput with `--session-seconds 1` on a 2-core machine shared with other work (2,000 sessions, seed 1):
 * 5.0 sessions/s one at a time (a session mostly waits: answers, lingering, the probe), 17 with
 * `--parallel 4`, 29 with 8, 26-40 with 16 (as busy as the machine was; 33 over 10,000 sessions), 35 with 32.
 * A session costs some 40 ms of CPU (fuzz and parent together), so 16 keeps the 2 cores busy; more adds
 * little and overloads the parent: sessions end with their requests unanswered, the watcher waits longer.
 * 100,000 sessions with `--parallel 16` take 42-50 minutes (33-40 sessions/s).
 *
 * ```sh
 * node_modules/.bin/bun scripts/fuzz_parent.ts --sessions 300 --seed 1
 * node_modules/.bin/deno run -A scripts/fuzz_parent.ts --sessions 300 --seed 1
 * node_modules/.bin/bun scripts/fuzz_parent.ts --sessions 100000 --session-seconds 1 --parallel 16 --seed 1
 * node_modules/.bin/bun scripts/fuzz_parent.ts --replay 123456,789012 --verbose   # sessions from a report
 * node_modules/.bin/bun scripts/fuzz_parent.ts --replay 123456 --show              # what they send, no parent
 * ```
 *
 * Options: `--sessions N` (300), `--seed S` (a random one, printed), `--parallel N` (1: sessions at a time),
 * `--sessions-per-parent N` (all: one parent), `--kinds stream,handshake,http` (all), `--session-seconds S` (5),
 * `--max-bytes B` (1048576) per session, `--hang-seconds S` (20), `--child-charts N` (the capture's 308),
 * `--replay seed,…`, `--verbose` (each session's description as it starts), `--show` (print the sessions'
 * bytes instead of running them; the parent's GUID is then a placeholder). Exits 1 when a session crashed the
 * parent or the child stopped advancing.
 *
 * @module
 */
import process from "node:process";
import { readFlags } from "./_cli_args.ts";
import { HARDENING_SKIP } from "../tests/e2e/_hardening.ts";
import { SESSION_WEIGHTS, type SessionKind } from "./_fuzz_plan.ts";
import { formatFuzzReport } from "./_fuzz_report.ts";
import { type FuzzOptions, runFuzz, showSessions } from "./_fuzz_run.ts";

function usage(problem: string): never {
  console.error(`fuzz_parent.ts: ${problem}
usage: fuzz_parent.ts [--sessions 300] [--seed S] [--parallel 1] [--sessions-per-parent N]
                      [--kinds stream,handshake,http] [--session-seconds 5] [--max-bytes 1048576]
                      [--hang-seconds 20] [--child-charts N] [--replay seed,…] [--verbose] [--show]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): FuzzOptions & { show: boolean } {
  const o: { -readonly [K in keyof FuzzOptions]: FuzzOptions[K] } & { show: boolean } = {
    show: false,
    sessions: 300,
    seed: Math.floor(Math.random() * 2 ** 31),
    log: (line) => console.log(line),
  };
  readFlags(argv, usage, (flag, arg) => {
    switch (flag) {
      case "--sessions":
        o.sessions = Math.trunc(arg.number(1));
        return true;
      case "--seed":
        o.seed = Math.trunc(arg.number(0));
        return true;
      case "--parallel":
        o.parallel = Math.trunc(arg.number(1));
        return true;
      case "--sessions-per-parent":
        o.sessionsPerParent = Math.trunc(arg.number(1));
        return true;
      case "--kinds": {
        const kinds = arg.value().split(",").map((k) => k.trim());
        const unknown = kinds.filter((k) => !(k in SESSION_WEIGHTS));
        if (unknown.length > 0) usage(`--kinds takes ${Object.keys(SESSION_WEIGHTS).join(", ")}; found ${unknown}`);
        o.kinds = kinds as SessionKind[];
        return true;
      }
      case "--session-seconds":
        o.sessionSeconds = arg.number(0.1);
        return true;
      case "--max-bytes":
        o.maxSessionBytes = Math.trunc(arg.number(1));
        return true;
      case "--hang-seconds":
        o.hangSeconds = arg.number(1);
        return true;
      case "--child-charts":
        o.childCharts = Math.trunc(arg.number(1));
        return true;
      case "--replay":
        o.replay = arg.value().split(",").map((s) => {
          const seed = Number(s.trim());
          if (!Number.isInteger(seed) || seed < 0) usage(`--replay takes session seeds, found '${s}'`);
          return seed;
        });
        return true;
      case "--verbose":
        o.verbose = true;
        return true;
      case "--show":
        o.show = true;
        return true;
      default:
        return false;
    }
  });
  return o;
}

const options = parseOptions(process.argv.slice(2));
if (options.show) {
  console.log(showSessions(options));
  process.exit(0);
}
if (HARDENING_SKIP !== undefined) {
  console.error(`fuzz_parent.ts: ${HARDENING_SKIP}`);
  process.exit(2);
}
console.log(
  `fuzzing rill-parent: ${options.replay?.length ?? options.sessions} sessions, seed ${options.seed}, ` +
    `${options.parallel ?? 1} at a time${options.kinds ? `, kinds ${options.kinds.join(",")}` : ""}`,
);
const report = await runFuzz(options);
console.log(`\n${formatFuzzReport(report)}`);
process.exit(report.crashes.length > 0 || !report.childAdvancing ? 1 : 0);
