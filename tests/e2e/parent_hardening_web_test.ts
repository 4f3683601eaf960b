// The hardening issue's findings 1 to 4 and 9, each with its reproducer, against rill-parent on the test's runtime while
// the harness's well-behaved child streams once a second (tests/e2e/_hardening.ts): every request is answered,
// the child's data keeps advancing, the parent stays up with its RSS under a cap the unfixed parent passed by
// far (541 MB in 15 s for a client that does not read, 2.6 GB for the prometheus `server=` leak).
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import { type RawChild, rawChild, request } from "../parent/receiver/_harness.ts";
import { until } from "../_until.ts";
import { HARDENING_SKIP, vmRssKiB, WELL_BEHAVED_CHILD, withHardening } from "./_hardening.ts";

/** A raw connection from a loopback address of its own (the connection caps count per address). */
function open(port: number, localAddress = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", localAddress }, () => resolve(s));
    s.on("error", reject);
  });
}

/** Everything `socket` receives until it closes or `ms` pass, and whether it closed. */
function collect(socket: Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = "";
    const done = (closed: boolean) => {
      clearTimeout(timer);
      resolve({ text, closed });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on("data", (c) => text += c.toString("latin1"));
    socket.on("error", () => {});
    socket.once("close", () => done(true));
  });
}

const data = (query: string) => `/host/${WELL_BEHAVED_CHILD}/api/v1/data?chart=system.cpu&${query}`;

test("finding 1: windows of any size are answered, bounded, while the child flows", {
  skip: HARDENING_SKIP ?? false,
  timeout: 180_000,
}, async () => {
  await withHardening({}, async (h) => {
    for (
      const query of [
        "after=-100000000",
        "after=99999999999999",
        "after=-94608000&points=86400",
        "before=-99999999999",
        "after=-100000000&points=86400&group=max&format=csv",
        "after=abc",
      ]
    ) {
      const a = await h.get(data(query), 60_000);
      assert.ok(a.status !== undefined && [200, 400, 404].includes(a.status), `${query}: ${a.error ?? a.status}`);
    }
  });
});

test("finding 2: dimensions= with 44 '*' and a 'Q' answers at once", {
  skip: HARDENING_SKIP ?? false,
  timeout: 60_000,
}, async () => {
  await withHardening({}, async (h) => {
    for (const stars of [36, 44, 2000]) {
      const a = await h.get(data(`after=-60&dimensions=${"*".repeat(stars)}Q`), 30_000);
      assert.equal(a.status, 404, `${stars} stars: ${a.error ?? a.body.toString()}`);
      assert.equal(a.body.toString(), "No metrics where matched to query.");
    }
  });
});

test("finding 3: 600 scrapes with 8 KB random server= names leave the parent's memory where it was", {
  skip: HARDENING_SKIP ?? false,
  timeout: 180_000,
}, async () => {
  const others: RawChild[] = [];
  await withHardening({}, async (h) => {
    // More hosts make every scrape remember more: 60 more children, 62 hosts in all.
    for (let i = 0; i < 60; i++) {
      const c = await rawChild(h.port, request({ hostname: `extra-${i}`, machine_guid: randomUUID() }));
      await until(`extra-${i} accepted`, () => c.received().startsWith("Hit me baby"));
      others.push(c);
    }
    const scrape = (i: number) =>
      h.get(`/api/v1/allmetrics?format=prometheus_all_hosts&server=${randomBytes(4096).toString("hex")}${i}`);
    for (let i = 0; i < 100; i++) assert.equal((await scrape(i)).status, 200);
    const before = vmRssKiB(h.pid);
    for (let i = 100; i < 600; i++) {
      assert.equal((await scrape(i)).status, 200);
    }
    const growth = vmRssKiB(h.pid) - before;
    // Unbounded, 500 scrapes × 62 hosts × an 8 KB name is ~250 MB.
    assert.ok(growth < 100 * 1024, `RSS grew ${growth} KiB over 500 scrapes`);
  }).finally(() => {
    for (const c of others) c.socket.destroy();
  });
});

test("finding 4: a pipelining client that never reads is held at a bound; the parent stays small", {
  skip: HARDENING_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  await withHardening({}, async (h) => {
    const greedy = await open(h.port, "127.0.0.2");
    greedy.pause();
    const request = "GET /api/v1/charts HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100);
    const end = Date.now() + 15_000;
    // Writes without waiting for drain would fill this process: stop writing while the parent reads nothing.
    while (Date.now() < end && !greedy.destroyed) {
      if (greedy.writableLength < 1 << 20) greedy.write(request);
      await new Promise((r) => setTimeout(r, 20));
    }
    const f = h.figures();
    assert.ok(f.maxRssKiB < 300 * 1024, `the parent's RSS peaked at ${f.maxRssKiB} KiB`);
    greedy.destroy();
  });
});

test("large answers asked 24 times leave the parent's memory bounded", {
  skip: HARDENING_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  await withHardening({}, async (h) => {
    // 86,400 rows of the child's widest chart (33 dimensions): ~15 MB of json, or of csv in a jsonwrap.
    const wide = (query: string) =>
      `/host/${WELL_BEHAVED_CHILD}/api/v1/data?chart=netdata.workers_jobs_by_type_proc&after=-86400&points=86400&${query}`;
    const targets = [wide("format=json"), wide("format=csv&options=jsonwrap")];
    const rssAfter: number[] = [];
    for (let i = 0; i < 24; i++) {
      const a = await h.get(targets[i % 2], 60_000);
      assert.equal(a.status, 200, `answer ${i}: ${a.error ?? a.status}`);
      assert.ok(a.body.length > 10_000_000, `answer ${i} holds ${a.body.length} bytes`);
      rssAfter.push(vmRssKiB(h.pid));
    }
    // Built as one string of many small pieces, each answer left ~15 times its size of garbage that the runtime
    // collected late: the compiled parent (Bun) rose from 306 MiB after the first answer to 1131 MiB by the 15th
    // (+825 MiB; the code before answers were produced in slices, run once); in slices it rose 150 MiB at most.
    const growth = Math.max(...rssAfter) - rssAfter[0];
    assert.ok(growth < 300 * 1024, `RSS rose ${growth} KiB above the ${rssAfter[0]} KiB after the first answer`);
  });
});

test("finding 9: a trickled request head is cut off by its deadline; one address cannot take every slot", {
  skip: HARDENING_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  await withHardening({}, async (h) => {
    const loris = await open(h.port, "127.0.0.2");
    let over = false;
    const heard = collect(loris, 40_000).finally(() => over = true);
    // One byte every 500 ms: 50 s for the whole head, each byte well within the idle timeout.
    const head = "GET /api/v1/info HTTP/1.1\r\nX-Slow: " + "a".repeat(100);
    for (let i = 0; i < head.length && !over; i++) {
      loris.write(head[i]);
      await new Promise((r) => setTimeout(r, 500));
    }
    const { text, closed } = await heard;
    assert.ok(closed, "the trickling connection was closed");
    assert.match(text, /^HTTP\/1\.1 408 /);

    // 100 connections from 127.0.0.3: the ones past the per-address cap (64) are refused at once, and
    // 127.0.0.1 (the watcher) is still served.
    const held = await Promise.all(Array.from({ length: 100 }, () => open(h.port, "127.0.0.3")));
    const answers = await Promise.all(held.map((s) => collect(s, 2000)));
    const refused = answers.filter((a) => a.closed).length;
    assert.ok(refused >= 36 && refused < 100, `${refused} of 100 connections refused`);
    assert.equal((await h.get("/api/v1/info")).status, 200);
    for (const s of held) s.destroy();
  });
});

test("finding 9: child strings with CR, ESC and tabs are escaped in every format; a body is not a request", {
  skip: HARDENING_SKIP ?? false,
  timeout: 60_000,
}, async () => {
  await withHardening({}, async (h) => {
    const guid = randomUUID();
    const evil = await rawChild(h.port, request({ hostname: "evil%0d%1b%5b31m", machine_guid: guid }));
    await until("evil accepted", () => evil.received().startsWith("Hit me baby"));
    evil.write(
      'CHART "evil.x" "" "a\r\u001b[2Jtitle" "u\u001b" "f" "evil.x" "line" 1 1 "" "p" "m"\n' +
        'DIMENSION "a\tb" "=cmd\t|x" "absolute" 1 1 ""\nDIMENSION "c" "c" "absolute" 1 1 ""\n',
    );
    await until("evil.x defined", async () => (await h.get(`/host/${guid}/api/v1/chart?chart=evil.x`)).status === 200);
    // One iteration a second, as a child sends them, until two points are stored.
    let i = 0;
    await until("evil.x has data", async () => {
      evil.write(`BEGIN "evil.x" 1000000\nSET "a\tb" = ${i}\nSET "c" = ${i++}\nEND\n`);
      await new Promise((r) => setTimeout(r, 1000));
      const a = await h.get(`/host/${guid}/api/v1/data?chart=evil.x&after=-10&format=json`);
      return a.status === 200 && /\[ \d+,\d/.test(a.body.toString());
    }, 20_000);
    for (const format of ["prometheus", "prometheus_all_hosts", "shell"]) {
      const a = await h.get(`/host/${guid}/api/v1/allmetrics?format=${format}`);
      assert.equal(a.status, 200, format);
      const text = a.body.toString("latin1");
      assert.ok(!text.includes("\r") && !text.includes("\u001b"), `${format} holds a raw CR or ESC`);
      if (format !== "shell") assert.ok(!text.includes("\t"), `${format} holds a raw tab`);
    }
    for (const [format, separator] of [["tsv", "\t"], ["csv", ","]]) {
      const a = await h.get(`/host/${guid}/api/v1/data?chart=evil.x&after=-10&format=${format}&options=seconds`);
      const lines = a.body.toString().split(/\r?\n/).filter((l) => l.length > 0);
      const header = lines[0];
      // A quoted CSV field may hold the separator; a TSV one may not: both must still give three columns.
      const columns = (line: string) =>
        separator === ","
          ? line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.filter((c) => c !== "").length
          : line.split("\t").length;
      assert.equal(columns(header), 3, `${format} header '${header}'`);
      assert.ok(lines.slice(1).every((l) => columns(l) === 3), `${format} rows`);
      assert.ok(!/(^|[,\t"])=cmd/.test(header), `${format} header starts a formula: '${header}'`);
    }
    // A Content-Length body is skipped, never read as a second request.
    const s = await open(h.port);
    const heard = collect(s, 3000);
    const body = "GET /api/v1/charts HTTP/1.1\r\n\r\n";
    s.write(`GET /api/v1/info HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const { text } = await heard;
    assert.equal(text.match(/HTTP\/1\.1 \d+/g)?.length, 1, text.slice(0, 300));
    s.destroy();
    evil.socket.destroy();
  });
});
