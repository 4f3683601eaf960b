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
import { rmSync } from "node:fs";
import process from "node:process";
import {
  ACCEPTING_STREAM_CONF,
  freePort,
  NETDATA_SKIP_REASON,
  type NetdataChildOptions,
  type RealNetdataChild,
  startNetdataChild,
} from "../interop/_netdata.ts";
import { OPENSSL_SKIP, selfSignedCertificate } from "../_tls.ts";
import { until } from "../_until.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";

const skip = PARENT_SKIP ?? NETDATA_SKIP_REASON ?? OPENSSL_SKIP ?? false;

// The real child needs 5-15 s to connect, more on a busy machine.
const CONNECT_MS = 60_000;
const TEST_MS = 120_000;

// Netdata reads `^SSL=` only after an access list, so the list of every use is spelled out.
const ALL_USES = "=dashboard|registry|badges|management|streaming|netdata.conf";

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

/**
 * The parent of a row: `none` has no certificate; the others have a self-signed one and the child streams to
 * the API's port without `^SSL` (`default`) or with `^SSL=optional` (`optional`), or to a `^SSL=force` port of
 * its own while the API stays on a plain one (`force`).
 */
type ParentTls = "none" | "default" | "optional" | "force";

/** One row of the table: its parent, and the real child it starts (both stopped after the row). */
interface Row {
  readonly parent: RunningParent;
  readonly hostname: string;
  /** The port the child streams to. */
  readonly port: number;
  /** Starts the row's real child on {@link Row.port}. */
  child(options?: Pick<NetdataChildOptions, "tls" | "skipCertificateVerification">): RealNetdataChild;
}

/** Runs `body` on a compiled parent set up as `tls` says, then stops the child, the parent and drops the certificate. */
async function tlsRow(row: number, tls: ParentTls, body: (r: Row) => Promise<void>): Promise<void> {
  const hostname = `nd-tls-row${row}-${process.pid}`;
  // No `[web] ssl key`/`ssl certificate` for `none`: the defaults under /etc/netdata/ssl do not exist on a test machine.
  const certificate = tls === "none" ? undefined : selfSignedCertificate("rill-parent-tls-");
  try {
    const forcedPort = tls === "force" ? await freePort() : undefined;
    const parent = await startParent({
      streamConf: ACCEPTING_STREAM_CONF,
      bindSuffix: forcedPort !== undefined
        ? ` 127.0.0.1:${forcedPort}${ALL_USES}^SSL=force`
        : tls === "optional"
        ? `${ALL_USES}^SSL=optional`
        : undefined,
      netdataConf: certificate &&
        `[web]\n    ssl key = ${certificate.key}\n    ssl certificate = ${certificate.cert}\n`,
    });
    const port = forcedPort ?? parent.port;
    let child: RealNetdataChild | undefined;
    try {
      await body({
        parent,
        hostname,
        port,
        child: (options) => child = startNetdataChild({ port, hostname, ...options }),
      });
    } finally {
      await child?.stop();
      await parent.stop();
    }
  } finally {
    if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
  }
}

/** `test("TLS row <row>: <behavior>")` running `body` in {@link tlsRow}. */
function tlsTest(row: number, behavior: string, tls: ParentTls, body: (r: Row) => Promise<void>): void {
  test(`TLS row ${row}: ${behavior}`, { skip, timeout: TEST_MS }, () => tlsRow(row, tls, body));
}

/** The child streams: its points arrive, and the parent's acceptance line says ` SSL,` exactly when `encrypted`. */
async function assertStreams(r: Row, child: RealNetdataChild, encrypted: boolean): Promise<void> {
  await streaming(r.parent, child, r.hostname);
  const line = acceptedLine(r.parent, r.hostname);
  assert.ok(line !== undefined, r.parent.output());
  if (encrypted) assert.match(line, / SSL,/);
  else assert.doesNotMatch(line, / SSL,/);
}

/** Waits until `failed()` says the connection failed as it should; the child was never reachable nor accepted. */
async function assertNeverStreams(
  r: Row,
  child: RealNetdataChild,
  what: string,
  failed: () => boolean,
): Promise<void> {
  let everReachable = false;
  await until(what, async () => {
    everReachable ||= (await mirrored(r.parent, r.hostname))?.reachable === true;
    return failed();
  }, CONNECT_MS).catch((e) =>
    assert.fail(`${e}\n--- parent:\n${r.parent.output()}\n--- child error.log:\n${child.log()}`)
  );
  everReachable ||= (await mirrored(r.parent, r.hostname))?.reachable === true;
  assert.equal(everReachable, false, "the child must never be reachable");
  assert.equal(acceptedLine(r.parent, r.hostname), undefined, r.parent.output());
}

tlsTest(1, "parent without TLS, plain child: the stream is unencrypted and works", "none", async (r) => {
  await assertStreams(r, r.child(), false);
});

tlsTest(2, "parent TLS, port ^SSL=force, plain child: the parent rejects the child", "force", async (r) => {
  const child = r.child();
  // The parent closes the plain connection and says why; the child's request goes unanswered, so it backs off.
  const refused = new RegExp(
    `plain connection from localhost:\\d+ on '127\\.0\\.0\\.1:${r.port}=[^']*\\^SSL=force', which accepts only TLS \\(\\^SSL=force\\): closed`,
  );
  const childFailure = `[send to tcp:127.0.0.1:${r.port}]: remote netdata does not respond.`;
  await assertNeverStreams(
    r,
    child,
    "the refusal in the parent's log and the failure in the child's error.log",
    () => refused.test(r.parent.output()) && child.log().includes(childFailure),
  );
});

tlsTest(
  3,
  "parent TLS, port without ^SSL (optional), plain child: the stream is unencrypted and works",
  "default",
  async (r) => {
    // The port does speak TLS (it has the certificate), so plain here is the child's choice.
    const hello = spawnSync("openssl", ["s_client", "-connect", `127.0.0.1:${r.parent.port}`], {
      input: "",
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(hello.status, 0, hello.stdout + hello.stderr);
    assert.match(hello.stdout, /subject=\/?CN ?= ?localhost/);
    await assertStreams(r, r.child(), false);
  },
);

tlsTest(
  4,
  "parent TLS with a self-signed certificate, TLS child verifying it: the child refuses to connect",
  "optional",
  async (r) => {
    const child = r.child({ tls: true });
    // The child completes the handshake, finds the certificate self-signed (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
    // 18), closes before sending its request, and puts the destination aside.
    const childFailure = /Closing the stream connection, because the server SSL certificate is not valid\./;
    const gaveUp = /skipping destination 'tcp:127\.0\.0\.1:\d+' .*\(code: -7, invalid SSL certificate\)/;
    await assertNeverStreams(
      r,
      child,
      "the certificate failure in the child's error.log",
      () => childFailure.test(child.log()) && gaveUp.test(child.log()),
    );
    assert.match(child.log(), /SSL RFC4158 check: +We have a invalid certificate, the tests result with 18 /);
    // The child did reach the port over TLS (it is its check that failed, not the connection).
    assert.doesNotMatch(r.parent.output(), /plain connection from/);
  },
);

// The child streams to a port that accepts nothing but TLS; the API stays on a plain port.
tlsTest(
  5,
  "parent TLS, TLS child skipping certificate verification: the stream is encrypted and works",
  "force",
  async (r) => {
    // The receiver was handed a TLS socket: its acceptance line says SSL.
    await assertStreams(r, r.child({ tls: true, skipCertificateVerification: true }), true);
    assert.doesNotMatch(r.parent.output(), /plain connection from/);
  },
);
