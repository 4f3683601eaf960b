// The TLS "Expected behaviors" table of Netdata's streaming README, row by row, with the compiled rill-parent
// as parent and Debian's real Netdata 1.37 as child:
//
// | Parent TLS | Parent port SSL  | Child TLS | Child SSL skip verification | Behavior                              |
// | No         | -                | No        | no                          | unencrypted, working                  |
// | Yes        | force            | No        | no                          | the parent rejects the child          |
// | Yes        | -/optional       | No        | no                          | unencrypted, working                  |
// | Yes        | -/force/optional | Yes       | no                          | self-signed: the child refuses        |
// | Yes        | -/force/optional | Yes       | yes                         | encrypted, working                    |
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  ACCEPTING_STREAM_CONF,
  freePort,
  NETDATA_SKIP_REASON,
  type RealNetdataChild,
  startNetdataChild,
} from "../interop/_netdata.ts";
import { until } from "../_until.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";

const OPENSSL_SKIP: string | undefined = spawnSync("openssl", ["version"]).status === 0
  ? undefined
  : "openssl is not installed (needed to make the parent's certificate)";

const skip = PARENT_SKIP ?? NETDATA_SKIP_REASON ?? OPENSSL_SKIP ?? false;

// The real child needs 5-15 s to connect, more on a busy machine.
const CONNECT_MS = 60_000;
const TEST_MS = 120_000;

// Netdata reads `^SSL=` only after an access list, so the list of every use is spelled out.
const ALL_USES = "=dashboard|registry|badges|management|streaming|netdata.conf";

interface Certificate {
  readonly dir: string;
  readonly key: string;
  readonly cert: string;
  /** `[web]` lines that give the parent its key and certificate. */
  readonly webConf: string;
}

/** A self-signed certificate for localhost in a folder of its own. */
function selfSigned(): Certificate {
  const dir = mkdtempSync(join(tmpdir(), "rill-parent-tls-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
  ], { encoding: "utf8" });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl req failed: ${made.stderr}`);
  }
  return { dir, key, cert, webConf: `[web]\n    ssl key = ${key}\n    ssl certificate = ${cert}\n` };
}

interface MirroredHost {
  hostname: string;
  reachable: boolean;
  hops: number;
}

async function mirrored(parent: RunningParent, hostname: string): Promise<MirroredHost | undefined> {
  const info = await parent.json("/api/v1/info") as { mirrored_hosts_status: MirroredHost[] };
  return info.mirrored_hosts_status.find((h) => h.hostname === hostname);
}

/** Waits until the child is mirrored and reachable one hop away, and its charts hold collected points. */
async function streaming(parent: RunningParent, child: RealNetdataChild, hostname: string): Promise<void> {
  const why = () => `\n--- parent:\n${parent.output()}\n--- child error.log:\n${child.log()}`;
  try {
    await until("the child reachable on the parent", async () => {
      const entry = await mirrored(parent, hostname);
      return entry?.reachable === true && entry.hops === 1;
    }, CONNECT_MS);
    // Not only a handshake: the child's own metrics arrive and are stored under /host/<hostname>/.
    await until("points of the child's netdata.server_cpu", async () => {
      const reply = await parent.json(
        `/host/${hostname}/api/v1/data?chart=netdata.server_cpu&after=-60&format=json`,
      ) as { data: (number | null)[][] };
      return reply.data.some((row) => row.slice(1).some((v) => typeof v === "number"));
    }, 30_000);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}${why()}`);
  }
}

/** The parent's log line that accepts the child's stream (it says ` SSL,` when the connection is TLS). */
function acceptedLine(parent: RunningParent, hostname: string): string | undefined {
  return parent.output().split("\n").find((l) =>
    l.includes("client willing to stream metrics") && l.includes(`for host '${hostname}'`)
  );
}

const hostnameFor = (row: number) => `nd-tls-row${row}-${process.pid}`;

test("TLS row 1: parent without TLS, plain child: the stream is unencrypted and works", {
  skip,
  timeout: TEST_MS,
}, async () => {
  const hostname = hostnameFor(1);
  // No `[web] ssl key`/`ssl certificate`: the defaults under /etc/netdata/ssl do not exist on a test machine.
  const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF });
  let child: RealNetdataChild | undefined;
  try {
    child = startNetdataChild({ port: parent.port, hostname });
    await streaming(parent, child, hostname);
    const line = acceptedLine(parent, hostname);
    assert.ok(line !== undefined, parent.output());
    assert.doesNotMatch(line, / SSL,/);
  } finally {
    await child?.stop();
    await parent.stop();
  }
});

test("TLS row 2: parent TLS, port ^SSL=force, plain child: the parent rejects the child", {
  skip,
  timeout: TEST_MS,
}, async () => {
  const hostname = hostnameFor(2);
  const certificate = selfSigned();
  // The API on a plain port of its own; the child streams to the port that accepts only TLS.
  const forcedPort = await freePort();
  const parent = await startParent({
    streamConf: ACCEPTING_STREAM_CONF,
    bindSuffix: ` 127.0.0.1:${forcedPort}${ALL_USES}^SSL=force`,
    netdataConf: certificate.webConf,
  });
  let child: RealNetdataChild | undefined;
  try {
    child = startNetdataChild({ port: forcedPort, hostname });
    let everReachable = false;
    // The parent closes the plain connection and says why; the child's request goes unanswered, so it backs off.
    const refused = new RegExp(
      `plain connection from localhost:\\d+ on '127\\.0\\.0\\.1:${forcedPort}=[^']*\\^SSL=force', which accepts only TLS \\(\\^SSL=force\\): closed`,
    );
    const childFailure = `[send to tcp:127.0.0.1:${forcedPort}]: remote netdata does not respond.`;
    await until(
      "the refusal in the parent's log and the failure in the child's error.log",
      async () => {
        everReachable ||= (await mirrored(parent, hostname))?.reachable === true;
        return refused.test(parent.output()) && child!.log().includes(childFailure);
      },
      CONNECT_MS,
    ).catch((e) => assert.fail(`${e}\n--- parent:\n${parent.output()}\n--- child error.log:\n${child!.log()}`));
    everReachable ||= (await mirrored(parent, hostname))?.reachable === true;
    assert.equal(everReachable, false, "the child must never be reachable");
    assert.equal(acceptedLine(parent, hostname), undefined, parent.output());
  } finally {
    await child?.stop();
    await parent.stop();
    rmSync(certificate.dir, { recursive: true, force: true });
  }
});

test("TLS row 3: parent TLS, port without ^SSL (optional), plain child: the stream is unencrypted and works", {
  skip,
  timeout: TEST_MS,
}, async () => {
  const hostname = hostnameFor(3);
  const certificate = selfSigned();
  const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF, netdataConf: certificate.webConf });
  let child: RealNetdataChild | undefined;
  try {
    // The port does speak TLS (it has the certificate), so plain here is the child's choice.
    const hello = spawnSync("openssl", ["s_client", "-connect", `127.0.0.1:${parent.port}`], {
      input: "",
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(hello.status, 0, hello.stdout + hello.stderr);
    assert.match(hello.stdout, /subject=\/?CN ?= ?localhost/);

    child = startNetdataChild({ port: parent.port, hostname });
    await streaming(parent, child, hostname);
    const line = acceptedLine(parent, hostname);
    assert.ok(line !== undefined, parent.output());
    assert.doesNotMatch(line, / SSL,/);
  } finally {
    await child?.stop();
    await parent.stop();
    rmSync(certificate.dir, { recursive: true, force: true });
  }
});

test("TLS row 4: parent TLS with a self-signed certificate, TLS child verifying it: the child refuses to connect", {
  skip,
  timeout: TEST_MS,
}, async () => {
  const hostname = hostnameFor(4);
  const certificate = selfSigned();
  const parent = await startParent({
    streamConf: ACCEPTING_STREAM_CONF,
    bindSuffix: `${ALL_USES}^SSL=optional`,
    netdataConf: certificate.webConf,
  });
  let child: RealNetdataChild | undefined;
  try {
    child = startNetdataChild({ port: parent.port, hostname, tls: true });
    let everReachable = false;
    // The child completes the handshake, finds the certificate self-signed (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
    // 18), closes before sending its request, and puts the destination aside.
    const childFailure = /Closing the stream connection, because the server SSL certificate is not valid\./;
    const gaveUp = /skipping destination 'tcp:127\.0\.0\.1:\d+' .*\(code: -7, invalid SSL certificate\)/;
    await until(
      "the certificate failure in the child's error.log",
      async () => {
        everReachable ||= (await mirrored(parent, hostname))?.reachable === true;
        return childFailure.test(child!.log()) && gaveUp.test(child!.log());
      },
      CONNECT_MS,
    ).catch((e) => assert.fail(`${e}\n--- child error.log:\n${child!.log()}\n--- parent:\n${parent.output()}`));
    assert.match(child.log(), /SSL RFC4158 check: +We have a invalid certificate, the tests result with 18 /);
    everReachable ||= (await mirrored(parent, hostname))?.reachable === true;
    assert.equal(everReachable, false, "the child must never be reachable");
    assert.equal(acceptedLine(parent, hostname), undefined, parent.output());
    // The child did reach the port over TLS (it is its check that failed, not the connection).
    assert.doesNotMatch(parent.output(), /plain connection from/);
  } finally {
    await child?.stop();
    await parent.stop();
    rmSync(certificate.dir, { recursive: true, force: true });
  }
});

test("TLS row 5: parent TLS, TLS child skipping certificate verification: the stream is encrypted and works", {
  skip,
  timeout: TEST_MS,
}, async () => {
  const hostname = hostnameFor(5);
  const certificate = selfSigned();
  // The child streams to a port that accepts nothing but TLS; the API stays on a plain port.
  const forcedPort = await freePort();
  const parent = await startParent({
    streamConf: ACCEPTING_STREAM_CONF,
    bindSuffix: ` 127.0.0.1:${forcedPort}${ALL_USES}^SSL=force`,
    netdataConf: certificate.webConf,
  });
  let child: RealNetdataChild | undefined;
  try {
    child = startNetdataChild({ port: forcedPort, hostname, tls: true, skipCertificateVerification: true });
    await streaming(parent, child, hostname);
    // The receiver was handed a TLS socket: its acceptance line says SSL.
    const line = acceptedLine(parent, hostname);
    assert.ok(line !== undefined, parent.output());
    assert.match(line, / SSL,/);
    assert.doesNotMatch(parent.output(), /plain connection from/);
  } finally {
    await child?.stop();
    await parent.stop();
    rmSync(certificate.dir, { recursive: true, force: true });
  }
});
