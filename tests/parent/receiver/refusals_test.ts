// The refusal table of protocol reference §4, one test per row: the exact bare string, then the parent
// closes; the access-log status and, where 1.37 writes one, the error-log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimplePattern } from "../../../src/protocol/simple_pattern.ts";
import { HostCatalogue } from "../../../src/parent/storage/catalogue.ts";
import { testHost } from "../../_hosts.ts";
import { until } from "../../_until.ts";
import { ACCEPTING, CHILD_GUID, KEY, PARENT_GUID, rawChild, request, type TestParent, withParent } from "./_harness.ts";

const NOT_PERMITTED = "You are not permitted to access this. Check the logs for more info.";
const OTHER_KEY = "22222222-2222-3333-4444-555555555555";

/**
 * Sends `head`, waits for the parent to close, and returns the reply and the last access-log status; fails
 * at once if the parent accepts the stream instead.
 */
async function refused(parent: TestParent, head: string) {
  const child = await rawChild(parent.port, head);
  let closed = false;
  void child.closed.then(() => closed = true);
  await until("the parent's answer", () => closed || child.received().length > 0);
  if (child.received().startsWith("Hit me baby")) {
    child.socket.destroy();
    assert.fail(`the parent accepted the stream it should refuse: ${child.received()}`);
  }
  await child.closed;
  const line = parent.access.at(-1) ?? "";
  return { reply: child.received(), status: line.match(/ '([^']*)' host /)?.[1], accessLine: line };
}

test("row 1: [web] allow streaming from refuses the IP with the web server's string", async () => {
  await withParent({ settings: { allowStreamingFrom: SimplePattern.parse("10.*") } }, async (parent) => {
    const r = await refused(parent, request());
    assert.equal(r.reply, "You are not allowed to access this resource.");
    assert.equal(r.status, "ACCESS DENIED - STREAMING NOT ALLOWED FROM THIS IP");
    assert.equal(parent.receiver.connections().length, 0);
  });
});

test("row 2: missing or malformed key, hostname or machine GUID are 'not permitted', each logged apart", async () => {
  await withParent({}, async (parent) => {
    const cases: [Record<string, string | undefined>, string, string][] = [
      [{ key: undefined }, "ACCESS DENIED - NO KEY", "request without an API key"],
      [
        { hostname: undefined, registry_hostname: undefined },
        "ACCESS DENIED - NO HOSTNAME",
        "request without a hostname",
      ],
      [{ machine_guid: undefined }, "ACCESS DENIED - NO MACHINE GUID", "request without a machine GUID"],
      [
        { key: "not-a-guid" },
        "ACCESS DENIED - INVALID KEY",
        "API key 'not-a-guid' is not valid GUID (use the command uuidgen to generate one)",
      ],
      [{ machine_guid: "not-a-guid" }, "ACCESS DENIED - INVALID MACHINE GUID", "machine GUID 'not-a-guid' is not GUID"],
    ];
    for (const [params, status, message] of cases) {
      const r = await refused(parent, request(params));
      assert.equal(r.reply, NOT_PERMITTED, status);
      assert.equal(r.status, status);
      assert.match(parent.log.at(-1) ?? "", /ERROR : MAIN : STREAM \[receive from \[localhost\]:\d+\]: /);
      assert.ok(parent.log.at(-1)?.endsWith(`: ${message}. Forbidding access.`), parent.log.at(-1));
    }
  });
});

test("row 3: the API key's section: missing, disabled, of another type, or not from this IP", async () => {
  const conf =
    `${ACCEPTING}[${OTHER_KEY}]\n    enabled = no\n[33333333-2222-3333-4444-555555555555]\n    type = machine\n` +
    `[44444444-2222-3333-4444-555555555555]\n    enabled = yes\n    allow from = !127.0.0.1 10.*\n`;
  await withParent({ streamConf: conf }, async (parent) => {
    const cases: [string, string, string][] = [
      ["55555555-2222-3333-4444-555555555555", "ACCESS DENIED - KEY NOT ENABLED", "is not allowed"],
      [OTHER_KEY, "ACCESS DENIED - KEY NOT ENABLED", "is not allowed"],
      ["33333333-2222-3333-4444-555555555555", "ACCESS DENIED - API KEY GIVEN IS NOT API KEY", "is a machine GUID"],
      [
        "44444444-2222-3333-4444-555555555555",
        "ACCESS DENIED - KEY NOT ALLOWED FROM THIS IP",
        "is not permitted from this IP",
      ],
    ];
    for (const [key, status, message] of cases) {
      const r = await refused(parent, request({ key }));
      assert.equal(r.reply, NOT_PERMITTED, status);
      assert.equal(r.status, status);
      assert.ok(parent.log.at(-1)?.endsWith(`API key '${key}' ${message}. Forbidding access.`), parent.log.at(-1));
    }
  });
});

test("row 4: the machine GUID's section: disabled, of another type, or not from this IP", async () => {
  const guids = ["aaaaaaaa-e718-11f1-8984-02fc00000001", "bbbbbbbb-e718-11f1-8984-02fc00000001"]
    .concat("cccccccc-e718-11f1-8984-02fc00000001");
  const conf = `${ACCEPTING}[${guids[0]}]\n    enabled = no\n[${guids[1]}]\n    type = api\n` +
    `[${guids[2]}]\n    allow from = 10.*\n`;
  await withParent({ streamConf: conf }, async (parent) => {
    const cases: [string, string, string][] = [
      [guids[0], "ACCESS DENIED - MACHINE GUID NOT ENABLED", `machine GUID '${guids[0]}' is not allowed`],
      [
        guids[1],
        "ACCESS DENIED - MACHINE GUID GIVEN IS NOT A MACHINE GUID",
        `machine GUID '${guids[1]}' is a api GUID`,
      ],
      [
        guids[2],
        "ACCESS DENIED - MACHINE GUID NOT ALLOWED FROM THIS IP",
        `Machine GUID '${guids[2]}' is not permitted from this IP`,
      ],
    ];
    for (const [guid, status, message] of cases) {
      const r = await refused(parent, request({ machine_guid: guid }));
      assert.equal(r.reply, NOT_PERMITTED, status);
      assert.equal(r.status, status);
      assert.ok(r.accessLine.endsWith(`machine guid '${guid}'`), r.accessLine);
      assert.ok(parent.log.at(-1)?.endsWith(`${message}. Forbidding access.`), parent.log.at(-1));
    }
  });
});

test("rows 1, 3, 4 for a child on the same machine: its address decides first, then localhost", async () => {
  const accepted = async (parent: TestParent) => {
    const child = await rawChild(parent.port, request());
    let closed = false;
    void child.closed.then(() => closed = true);
    await until("the parent's answer", () => closed || child.received().length > 0);
    child.socket.destroy();
    await child.closed;
    return child.received().startsWith("Hit me baby");
  };
  const section = (allowFrom: string) =>
    `${ACCEPTING}    allow from = ${allowFrom}\n[${CHILD_GUID}]\n    allow from = ${allowFrom}\n`;
  // 1.37 tests only `localhost` here, so it refuses `127.* !*` and admits `!127.0.0.1 *`.
  for (const [allowFrom, expected] of [["127.* !*", true], ["!127.0.0.1 *", false], ["localhost", true]] as const) {
    await withParent({ streamConf: section(allowFrom) }, async (parent) => {
      assert.equal(await accepted(parent), expected, `allow from = ${allowFrom}`);
    });
    const settings = { allowStreamingFrom: SimplePattern.parse(allowFrom) };
    await withParent({ settings }, async (parent) => {
      assert.equal(await accepted(parent), expected, `allow streaming from = ${allowFrom}`);
    });
  }
  await withParent({ streamConf: `${ACCEPTING}[${CHILD_GUID}]\n    allow from = !127.0.0.1 *\n` }, async (parent) => {
    const r = await refused(parent, request());
    assert.equal(r.status, "ACCESS DENIED - MACHINE GUID NOT ALLOWED FROM THIS IP");
  });
  await withParent({ streamConf: `${ACCEPTING}    allow from = !localhost *\n` }, async (parent) => {
    const r = await refused(parent, request());
    assert.equal(r.status, "ACCESS DENIED - KEY NOT ALLOWED FROM THIS IP");
  });
});

test("row 5: a second request within 'accept a streaming request every seconds' is too busy; the first is not", async () => {
  await withParent({ settings: { acceptStreamingRequestEverySeconds: 60 } }, async (parent) => {
    const first = await rawChild(parent.port, request());
    await until("the first request is accepted", () => first.received().startsWith("Hit me baby"));
    const other = "dddddddd-e718-11f1-8984-02fc00000001";
    const r = await refused(parent, request({ machine_guid: other }));
    assert.equal(r.reply, "The server is too busy now to accept this request. Try later.");
    assert.equal(r.status, "REJECTED - TOO BUSY");
    assert.match(
      parent.log.at(-1) ?? "",
      /too busy to accept new streaming request\. Will be allowed in (59|60) secs\.$/,
    );
    first.socket.destroy();
  });
});

test("row 6: the same GUID while its receiver got data within 30 s is refused; a silent one is taken over", async () => {
  await withParent({}, async (parent) => {
    const first = await rawChild(parent.port, request());
    await until("the first request is accepted", () => first.received().startsWith("Hit me baby"));
    const r = await refused(parent, request());
    assert.equal(r.reply, "This GUID is already streaming to this server");
    assert.equal(r.status, "REJECTED - ALREADY CONNECTED");
    assert.match(
      parent.log.at(-1) ?? "",
      /existing connection is active \(within last 0 sec\), rejecting new connection\.$/,
    );

    // 31 s of silence: the next connection wins and the old socket is shut.
    const conn = parent.receiver.connections()[0] as { lastDataMs: number };
    conn.lastDataMs = Date.now() - 31_000;
    const second = await rawChild(parent.port, request());
    await until("the takeover is accepted", () => second.received().startsWith("Hit me baby"));
    await first.closed;
    assert.equal(parent.receiver.connections().length, 1);
    assert.equal(parent.catalogue.byGuid(CHILD_GUID)?.status.reachable, true);
    assert.ok(parent.log.some((l) => l.includes("existing connection is dead (31 sec), accepting new connection.")));
    second.socket.destroy();
  });
});

test("row 7: the parent's own machine GUID is refused", async () => {
  await withParent({}, async (parent) => {
    const r = await refused(parent, request({ machine_guid: PARENT_GUID }));
    assert.equal(r.reply, "Don't hit me baby, you are trying to stream my localhost back");
    assert.equal(r.status, "DENIED - ATTEMPT TO RECEIVE METRICS FROM MACHINE_GUID IDENTICAL TO PARENT");
    assert.ok(parent.log.at(-1)?.includes(`machine GUID [${PARENT_GUID}] is my own.`));
    assert.equal(parent.catalogue.all().length, 1);
  });
});

test("access log: a refusal names the peer, host, key and machine GUID as 1.37 does", async () => {
  await withParent({ streamConf: "" }, async (parent) => {
    const r = await refused(parent, request());
    assert.match(
      r.accessLine,
      new RegExp(
        `^STREAM: \\d+ '\\[localhost\\]:\\d+' 'ACCESS DENIED - KEY NOT ENABLED' host 'nd-child' api key '${KEY}' machine guid '${CHILD_GUID}'$`,
      ),
    );
  });
});

// Finding 7 of the hardening issue: a GUID is one identity whatever its case.

test("row 6 in upper case: the streaming victim's GUID in upper case is refused as already streaming", async () => {
  await withParent({}, async (parent) => {
    const victim = await rawChild(parent.port, request());
    await until("the victim is accepted", () => victim.received().startsWith("Hit me baby"));
    const r = await refused(parent, request({ machine_guid: CHILD_GUID.toUpperCase(), hostname: "intruder" }));
    assert.equal(r.reply, "This GUID is already streaming to this server");
    assert.equal(r.status, "REJECTED - ALREADY CONNECTED");
    assert.equal(parent.catalogue.all().length, 2);
    assert.equal(parent.receiver.connections().length, 1);
    assert.equal(parent.receiver.connections()[0].entry.host.identity.hostname, "nd-child");
    victim.socket.destroy();
  });
});

test("row 7 in upper case: the parent's own GUID in any case is refused as its own", async () => {
  await withParent({}, async (parent) => {
    const r = await refused(parent, request({ machine_guid: PARENT_GUID.toUpperCase() }));
    assert.equal(r.reply, "Don't hit me baby, you are trying to stream my localhost back");
    assert.equal(r.status, "DENIED - ATTEMPT TO RECEIVE METRICS FROM MACHINE_GUID IDENTICAL TO PARENT");
    assert.ok(parent.log.at(-1)?.includes(`machine GUID [${PARENT_GUID}] is my own.`), parent.log.at(-1));
    assert.equal(parent.catalogue.all().length, 1);
  });
  // A parent whose own identity is held in upper case still knows it in lower case.
  const upper = new HostCatalogue({
    host: testHost({ hostname: "nd-parent", machineGuid: PARENT_GUID.toUpperCase() }),
    series: { series: () => undefined, firstTimeS: () => 0, lastTimeS: () => 0 },
    local: true,
    status: { reachable: true, hops: 0, sinceS: 0, peer: "", capabilities: 0 },
  });
  await withParent({ receiver: { catalogue: upper } }, async (parent) => {
    const r = await refused(parent, request({ machine_guid: PARENT_GUID }));
    assert.equal(r.status, "DENIED - ATTEMPT TO RECEIVE METRICS FROM MACHINE_GUID IDENTICAL TO PARENT");
    assert.equal(upper.all().length, 1);
  });
});

test("row 4 in any case: a machine-GUID section applies whatever case it or the child writes the GUID in", async () => {
  const disabledUpper = "aaaaaaaa-e718-11f1-8984-02fc00000001";
  const disabledLower = "bbbbbbbb-e718-11f1-8984-02fc00000001";
  const conf =
    `${ACCEPTING}[${disabledUpper.toUpperCase()}]\n    enabled = no\n[${disabledLower}]\n    enabled = no\n` +
    `[${CHILD_GUID.toUpperCase()}]\n    history = 123\n`;
  await withParent({ streamConf: conf }, async (parent) => {
    for (const guid of [disabledUpper, disabledLower.toUpperCase()]) {
      const r = await refused(parent, request({ machine_guid: guid }));
      assert.equal(r.status, "ACCESS DENIED - MACHINE GUID NOT ENABLED", guid);
    }
    const child = await rawChild(parent.port, request());
    await until("the child is accepted", () => child.received().startsWith("Hit me baby"));
    assert.equal(parent.stores.get(CHILD_GUID)?.policy.history, 123);
    child.socket.destroy();
  });
});
