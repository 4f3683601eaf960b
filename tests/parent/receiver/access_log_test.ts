// What the receiver writes to its logs about a child's admission: the statuses of a real 1.37 parent's
// access log, the "Forbidding access" messages, and the access-log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY,
  ACCESS_DENIED_INVALID_KEY,
  ACCESS_DENIED_INVALID_MACHINE_GUID,
  ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP,
  ACCESS_DENIED_KEY_NOT_ENABLED,
  ACCESS_DENIED_NO_HOSTNAME,
  ACCESS_DENIED_NO_KEY,
  ACCESS_DENIED_NO_MACHINE_GUID,
  accessLogLine,
  CONNECTED,
  DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT,
  FORBID_NO_KEY,
  forbiddingAccessLogLine,
  forbidInvalidKey,
  forbidInvalidMachineGuid,
  forbidKeyNotAllowed,
  forbidKeyNotFromThisIp,
  forbidMachineGuidNotAllowed,
  forbidMachineGuidNotFromThisIp,
  REJECTED_ALREADY_CONNECTED,
} from "../../../src/parent/receiver/access_log.ts";
import { fixtureText } from "../../_fixtures.ts";

test("every access-log status of the 1.37 handshake fixture is one of our constants", () => {
  const cases: { note?: string }[] = JSON.parse(fixtureText("netdata-1.37-handshake-replies.json")).cases;
  const statuses = new Set<string>([
    ACCESS_DENIED_KEY_NOT_ENABLED,
    ACCESS_DENIED_INVALID_KEY,
    ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP,
    ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY,
    ACCESS_DENIED_NO_KEY,
    ACCESS_DENIED_NO_HOSTNAME,
    ACCESS_DENIED_NO_MACHINE_GUID,
    ACCESS_DENIED_INVALID_MACHINE_GUID,
    DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT,
    REJECTED_ALREADY_CONNECTED,
  ]);
  let seen = 0;
  for (const c of cases) {
    const m = /access\.log: ([A-Z][A-Z_ -]+[A-Z])/.exec(c.note ?? "");
    if (m === null) continue;
    seen++;
    assert.ok(statuses.has(m[1]), `unknown access-log status '${m[1]}'`);
  }
  assert.ok(seen >= 5, `only ${seen} access-log statuses in the fixture`);
});

test("Forbidding access messages", () => {
  const key = "not-a-guid";
  assert.equal(
    forbidInvalidKey(key),
    "API key 'not-a-guid' is not valid GUID (use the command uuidgen to generate one)",
  );
  assert.equal(forbidInvalidMachineGuid(key), "machine GUID 'not-a-guid' is not GUID");
  assert.equal(forbidKeyNotAllowed(key), "API key 'not-a-guid' is not allowed");
  assert.equal(forbidKeyNotFromThisIp(key), "API key 'not-a-guid' is not permitted from this IP");
  assert.equal(forbidMachineGuidNotAllowed(key), "machine GUID 'not-a-guid' is not allowed");
  assert.equal(forbidMachineGuidNotFromThisIp(key), "Machine GUID 'not-a-guid' is not permitted from this IP");
  assert.equal(
    forbiddingAccessLogLine("127.0.0.1", "51234", FORBID_NO_KEY),
    "STREAM [receive from [127.0.0.1]:51234]: request without an API key. Forbidding access.",
  );
});

test("accessLogLine: a child's host name with CR, LF or ESC stays on one escaped line", () => {
  const line = accessLogLine(
    {
      ip: "127.0.0.1",
      port: 40000,
      hostname: "edge\r\n2026-12-02 00:00:00: forged \x1b[31m",
      key: "k",
      machineGuid: "82be38ca-e718-11f1-8984-000000000042",
    },
    CONNECTED,
  );
  assert.ok(!["\r", "\n", "\x1b"].some((c) => line.includes(c)), line);
  assert.match(line, /host 'edge\\r\\n2026-12-02 00:00:00: forged \\x1b\[31m'/);
});
