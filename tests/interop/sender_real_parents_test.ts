// The stream sender against Debian's real Netdata 1.37 parents: TLS verification (CAfile, self-signed,
// skip), failover between two real parents, and a real refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseStreamConf } from "../../src/config/stream_conf.ts";
import type { Host } from "../../src/metrics/host.ts";
import { Logger } from "../../src/runtime/log.ts";
import { observingRing } from "../stream/_ring.ts";
import { StreamSender } from "../../src/stream/sender.ts";
import { testHost } from "../_hosts.ts";
import { selfSignedCertificate } from "../_tls.ts";
import { until } from "../_until.ts";
import {
  ACCEPTING_STREAM_CONF,
  freePort,
  NETDATA_SKIP_REASON,
  type RealNetdata,
  startNetdataParent,
  TEST_API_KEY,
} from "./_netdata.ts";

function host(name: string): Host {
  const h = testHost({ hostname: name, machineGuid: crypto.randomUUID(), programVersion: "vtest" });
  const chart = h.chart({
    id: "rill.test",
    title: "test",
    units: "x",
    family: "x",
    context: "rill.test",
    chartType: "line",
    priority: 1,
    updateEvery: 1,
    plugin: "test",
    module: "",
  });
  chart.dimension({ id: "a", algorithm: "absolute", multiplier: 1, divisor: 1 }).set(1);
  h.collected(chart, Date.now() * 1000);
  return h;
}

function sender(h: Host, stream: string) {
  const lines: string[] = [];
  const config = parseStreamConf(
    `[stream]\n    enabled = yes\n    api key = ${TEST_API_KEY}\n    reconnect delay seconds = 1\n${stream}`,
  )
    .stream;
  const s = new StreamSender({
    host: h,
    replay: observingRing(h),
    config,
    log: new Logger("rill-test", "TEST", (l) => lines.push(l)),
  });
  return { sender: s, lines };
}

const mirrored = async (parent: RealNetdata, name: string) =>
  ((await parent.json("/api/v1/info")) as { mirrored_hosts_status: { hostname: string; reachable: boolean }[] })
    .mirrored_hosts_status.find((h) => h.hostname === name)?.reachable === true;

test(
  "TLS to a real parent: CAfile and CApath verify, a self-signed certificate is refused, skip verification connects",
  {
    skip: NETDATA_SKIP_REASON ?? false,
    timeout: 90_000,
  },
  async () => {
    const { dir: certs, key, cert } = selfSignedCertificate("rill-tls-");
    const caDir = join(certs, "ca");
    mkdirSync(caDir);
    copyFileSync(cert, join(caDir, "parent.pem"));
    const parent = await startNetdataParent(ACCEPTING_STREAM_CONF, { tls: { key, certificate: cert } });
    const destination = `    destination = tcp:127.0.0.1:${parent.port}:SSL\n`;
    try {
      // Trusted through CAfile: the stream is established over TLS.
      const trusted = sender(host("rill-tls-cafile"), `${destination}    CAfile = ${cert}\n`);
      trusted.sender.start();
      await until("the TLS stream", () => trusted.sender.connectedTo, 20_000);
      assert.ok(trusted.lines.some((l) => l.includes("initializing communication (SSL)...")), trusted.lines.join("\n"));
      await until("the host on the parent", () => mirrored(parent, "rill-tls-cafile").then((ok) => ok || undefined));
      await trusted.sender.stop();

      // Trusted through CApath: a folder holding the certificate.
      const byPath = sender(host("rill-tls-capath"), `${destination}    CApath = ${caDir}\n`);
      byPath.sender.start();
      await until("the TLS stream trusted by CApath", () => byPath.sender.connectedTo, 20_000);
      await byPath.sender.stop();

      // Not trusted: verification fails and nothing is sent.
      const refused = sender(host("rill-tls-untrusted"), destination);
      refused.sender.start();
      const failure = await until(
        "the verification failure",
        () => refused.lines.find((l) => l.includes("Failed to connect") && l.includes("over TLS")),
        20_000,
      );
      assert.match(failure, /self[- ]signed/i);
      assert.equal(refused.sender.connectedTo, undefined);
      await refused.sender.stop();

      // Verification skipped: the self-signed certificate is accepted.
      const skipping = sender(host("rill-tls-skip"), `${destination}    ssl skip certificate verification = yes\n`);
      skipping.sender.start();
      await until("the TLS stream without verification", () => skipping.sender.connectedTo, 20_000);
      await skipping.sender.stop();
    } finally {
      await parent.stop();
      rmSync(certs, { recursive: true, force: true });
    }
  },
);

test("failover between two real parents: the first down, the second used; kept when the first returns", {
  skip: NETDATA_SKIP_REASON ?? false,
  timeout: 120_000,
}, async () => {
  const firstPort = await freePort();
  const second = await startNetdataParent(ACCEPTING_STREAM_CONF);
  let first: RealNetdata | undefined;
  const s = sender(host("rill-failover"), `    destination = 127.0.0.1:${firstPort} 127.0.0.1:${second.port}\n`);
  try {
    s.sender.start();
    await until("the second parent", () => s.sender.connectedTo?.port === second.port, 20_000);
    assert.ok(
      s.lines.some((l) => l.includes(`port '${firstPort}' (errno 111, Connection refused)`)),
      s.lines.join("\n"),
    );

    first = await startNetdataParent(ACCEPTING_STREAM_CONF, { port: firstPort });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(s.sender.connectedTo?.port, second.port, "a working connection is not dropped for the first");

    await second.stop();
    await until("the first parent", () => s.sender.connectedTo?.port === firstPort, 30_000);
    await until("the host on the first parent", () => mirrored(first!, "rill-failover").then((ok) => ok || undefined));
  } finally {
    await s.sender.stop();
    await second.stop();
    await first?.stop();
  }
});

test("a real parent's refusal of an unknown API key is logged as Netdata logs it and postponed 60 s", {
  skip: NETDATA_SKIP_REASON ?? false,
  timeout: 60_000,
}, async () => {
  const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
  const lines: string[] = [];
  const config = parseStreamConf(
    `[stream]\n    enabled = yes\n    destination = 127.0.0.1:${parent.port}\n    api key = 99999999-9999-9999-9999-999999999999\n`,
  ).stream;
  const refused = host("rill-refused");
  const s = new StreamSender({
    host: refused,
    replay: observingRing(refused),
    config,
    log: new Logger("rill-test", "TEST", (l) => lines.push(l)),
  });
  try {
    s.start();
    const refusal = await until("the refusal", () => lines.find((l) => l.includes("remote server denied access")));
    assert.match(refusal, /will retry in 60 secs\.$/);
  } finally {
    await s.stop();
    await parent.stop();
  }
});

test(
  "an old-dialect child (ver=5) is told to compress by a real parent: its LZ4 frames are decoded and stored",
  {
    skip: NETDATA_SKIP_REASON ?? false,
    timeout: 60_000,
  },
  async () => {
    const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
    const h = host("rill-v5");
    const chart = h.charts.get("rill.test")!;
    const lines: string[] = [];
    const config = parseStreamConf(
      `[stream]\n    enabled = yes\n    api key = ${TEST_API_KEY}\n    destination = 127.0.0.1:${parent.port}\n`,
    ).stream;
    const s = new StreamSender({
      host: h,
      replay: observingRing(h),
      config,
      log: new Logger("rill-test", "TEST", (l) => lines.push(l)),
      offer: 5,
    });
    const timer = setInterval(() => {
      chart.dimensions[0].set(42);
      h.collected(chart, Date.now() * 1000);
    }, 1000);
    try {
      s.start();
      const established = await until("the stream", () => lines.find((l) => l.includes("established communication")));
      assert.match(established, /COMPRESSION/);
      const data = await until("values on the parent", async () => {
        try {
          const reply = await parent.json("/host/rill-v5/api/v1/data?chart=rill.test&after=-10&format=json") as {
            data: (number | null)[][];
          };
          return reply.data.some((row) => row[1] === 42) ? reply : undefined;
        } catch {
          return undefined;
        }
      }, 30_000);
      assert.ok(data);
    } finally {
      clearInterval(timer);
      await s.stop();
      await parent.stop();
    }
  },
);
