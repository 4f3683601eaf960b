import { test } from "node:test";
import assert from "node:assert/strict";
import { Logger } from "../../src/runtime/log.ts";

test("log lines have the shape of Netdata's error.log", () => {
  const lines: string[] = [];
  const log = new Logger("rill-collector", "MAIN", (l) => lines.push(l));
  log.info("starting");
  log.child("STREAM_SENDER[edge]").error("STREAM edge [send to p:19999]: failed to connect");
  assert.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: rill-collector INFO {2}: MAIN : starting$/);
  assert.match(
    lines[1],
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: rill-collector ERROR : STREAM_SENDER\[edge\] : STREAM edge \[send to p:19999\]: failed to connect$/,
  );
});
