import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildCommand, ParentCommand } from "../../src/protocol/commands.ts";
import { encodeChildCommand, encodeParentCommand, quote } from "../../src/protocol/encode.ts";
import { ChildStreamDecoder, ParentStreamDecoder } from "../../src/protocol/stream_decoder.ts";

// One or more examples of every command; the mapped type makes the compiler demand each kind.
const CHILD: { [K in ChildCommand["kind"]]: Extract<ChildCommand, { kind: K }>[] } = {
  CLAIMED_ID: [
    { kind: "CLAIMED_ID", machineGuid: "82be38ca-e718-11f1-8984-02fc00000001", claimId: null },
    { kind: "CLAIMED_ID", machineGuid: "82be38ca-e718-11f1-8984-02fc00000001", claimId: "11111111-2222-3333-4444-5" },
  ],
  LABEL: [{ kind: "LABEL", name: "_os_name", source: 1, value: "Debian GNU/Linux 12 (bookworm)" }],
  OVERWRITE: [{ kind: "OVERWRITE", what: "labels" }],
  CHART: [{
    kind: "CHART",
    id: "disk.sda",
    name: "root disk",
    title: `I/O "bandwidth"`,
    units: "KiB/s",
    family: "sda",
    context: "disk.io",
    chartType: "area",
    priority: 2000,
    updateEvery: 5,
    options: "obsolete detail",
    plugin: "proc.plugin",
    module: "/proc/diskstats",
  }],
  CLABEL: [{ kind: "CLABEL", name: "device", value: "sda = main", source: 536870913 }],
  CLABEL_COMMIT: [{ kind: "CLABEL_COMMIT" }],
  DIMENSION: [{
    kind: "DIMENSION",
    id: "writes",
    name: "",
    algorithm: "percentage-of-incremental-row",
    multiplier: -1,
    divisor: 1024,
    options: " hidden ",
  }],
  FUNCTION: [
    { kind: "FUNCTION", global: false, name: "processes", timeoutSeconds: 10, help: "Detailed processes" },
    { kind: "FUNCTION", global: true, name: "systemd-list-units", timeoutSeconds: 30, help: "" },
  ],
  VARIABLE: [
    { kind: "VARIABLE", scope: "HOST", name: "active_processors", value: 2 },
    { kind: "VARIABLE", scope: "", name: "x", value: -0.125 },
    { kind: "VARIABLE", scope: "LOCAL", name: "y", value: NaN },
  ],
  CHART_DEFINITION_END: [{ kind: "CHART_DEFINITION_END", firstEntry: 1795423347, lastEntry: 1795423446, childNow: 1 }],
  BEGIN: [{ kind: "BEGIN", chart: "system.cpu", microseconds: 1000057 }],
  SET: [
    { kind: "SET", dimension: "user", value: 42 },
    { kind: "SET", dimension: "neg", value: -7 },
    { kind: "SET", dimension: "huge", value: -9223372036854775808n },
    { kind: "SET", dimension: "empty", value: null },
  ],
  END: [{ kind: "END" }],
  RBEGIN: [
    { kind: "RBEGIN", chart: "system.cpu", range: null },
    { kind: "RBEGIN", chart: "", range: { start: 1795423044, end: 1795423045, childNow: 1795423172 } },
  ],
  RSET: [
    { kind: "RSET", dimension: "user", value: 1.5, flags: "" },
    { kind: "RSET", dimension: "user", value: NaN, flags: "E" },
    { kind: "RSET", dimension: "user", value: 0, flags: "R" },
  ],
  RDSTATE: [{
    kind: "RDSTATE",
    dimension: "gauges",
    lastCollectedUs: 1795423042271092,
    lastCollected: 2n ** 62n,
    lastCalculated: -0,
    lastStored: 1 / 3,
  }],
  RSSTATE: [{ kind: "RSSTATE", lastCollectedUs: 1795423042500000, lastUpdatedUs: 0 }],
  REND: [{
    kind: "REND",
    updateEvery: 1,
    firstEntry: 0,
    lastEntry: 1795423042,
    startStreaming: false,
    after: 5,
    before: 6,
    childNow: 1795423042,
  }],
  FUNCTION_RESULT: [{
    kind: "FUNCTION_RESULT",
    transaction: "b5a2c1",
    httpCode: 200,
    contentType: "application/json",
    expires: 1795423500,
    payload: '{\n  "status": 200\n}\n',
  }],
  FLUSH: [{ kind: "FLUSH" }],
  DISABLE: [{ kind: "DISABLE" }],
};

const PARENT: { [K in ParentCommand["kind"]]: Extract<ParentCommand, { kind: K }>[] } = {
  REPLAY_CHART: [{ kind: "REPLAY_CHART", chart: "manual.test", startStreaming: true, after: 1795423347, before: 1 }],
  FUNCTION_CALL: [{ kind: "FUNCTION_CALL", transaction: "4f1c", timeoutSeconds: 10, function: "processes info" }],
};

for (const [kind, examples] of Object.entries(CHILD)) {
  test(`decode(encode(x)) == x for ${kind}`, () => {
    const got: ChildCommand[] = [];
    const decoder = new ChildStreamDecoder("test");
    for (const cmd of examples) decoder.push(encodeChildCommand(cmd), (c) => got.push(c));
    assert.deepEqual(got, examples);
  });
}

for (const [kind, examples] of Object.entries(PARENT)) {
  test(`decode(encode(x)) == x for parent command ${kind}`, () => {
    const got: ParentCommand[] = [];
    const decoder = new ParentStreamDecoder("test");
    for (const cmd of examples) decoder.push(encodeParentCommand(cmd), (c) => got.push(c));
    assert.deepEqual(got, examples);
  });
}

test("quote picks the quote kind the value allows and keeps lines single", () => {
  assert.equal(quote(""), '""');
  assert.equal(quote("a b"), '"a b"');
  assert.equal(quote('say "hi"'), `'say "hi"'`);
  assert.equal(quote(`it's "x"`), `"it's 'x'"`);
  assert.equal(quote("two\nlines\r"), '"two lines "');
});
