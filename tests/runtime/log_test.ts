import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeControls, Logger } from "../../src/runtime/log.ts";

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

test("escapeControls writes C0, DEL and C1 controls as escapes and leaves other text alone", () => {
  assert.equal(escapeControls("a\r\nb\tc"), "a\\r\\nb\\tc");
  assert.equal(escapeControls("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  assert.equal(escapeControls("\x00\x07\x7f\x85\x9b"), "\\x00\\x07\\x7f\\x85\\x9b");
  const plain = "edge-1 système.cpu 🚀 \\n [x]";
  assert.equal(escapeControls(plain), plain);
});

test("a peer's CR, LF and ESC cannot split a log line or reach the terminal", () => {
  const lines: string[] = [];
  const log = new Logger("rill-parent", "MAIN", (l) => lines.push(l));
  const hostname = "edge\r\n2024-01-01 00:00:00: rill-parent ERROR : MAIN : forged\x1b]0;title\x07";
  log.child(`STREAM_RECEIVER[${hostname}]`).error(`host '${hostname}' refused`);
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0], /\p{Cc}/u);
  assert.match(
    lines[0],
    /STREAM_RECEIVER\[edge\\r\\n2024-01-01 00:00:00: rill-parent ERROR : MAIN : forged\\x1b\]0;title\\x07\]/,
  );
  assert.match(lines[0], / : host 'edge\\r\\n2024-01-01 [^']*\\x07' refused$/);
});
