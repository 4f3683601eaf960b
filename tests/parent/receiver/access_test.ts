import { test } from "node:test";
import assert from "node:assert/strict";
import { accessLogLine } from "../../../src/parent/receiver/access.ts";

test("accessLogLine: a child's host name with CR, LF or ESC stays on one escaped line", () => {
  const line = accessLogLine(
    {
      ip: "127.0.0.1",
      port: 40000,
      hostname: "edge\r\n2026-12-02 00:00:00: forged \x1b[31m",
      key: "k",
      machineGuid: "82be38ca-e718-11f1-8984-000000000042",
    },
    "CONNECTED",
  );
  assert.ok(!["\r", "\n", "\x1b"].some((c) => line.includes(c)), line);
  assert.match(line, /host 'edge\\r\\n2026-12-02 00:00:00: forged \\x1b\[31m'/);
});
