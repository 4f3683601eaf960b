import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../src/config/reader.ts";
import { readInternalPlugins } from "../../src/config/internal_plugins_conf.ts";
import { parseNetdataConf } from "../../src/config/netdata_conf.ts";

function read(text: string) {
  const nd = parseNetdataConf(text);
  return readInternalPlugins(nd.document, nd.plugins);
}

test("internal plugins: 1.37's defaults when netdata.conf says nothing", () => {
  const conf = read("");
  assert.deepEqual(conf.timex, { enabled: true, updateEvery: 10, syncState: true, timeOffset: true });
  assert.deepEqual(conf.idlejitter, { enabled: true, loopTimeMs: 20 });
  assert.deepEqual(conf.diagnostics, []);
});

test("internal plugins: every option and flag is read; `enable running new plugins = no` leaves them on", () => {
  const conf = read(
    [
      "[plugins]",
      "  enable running new plugins = no",
      "  idlejitter = no",
      "[plugin:timex]",
      "  update every = 30",
      "  clock synchronization state = no",
      "  time offset = auto",
      "[plugin:idlejitter]",
      "  loop time in ms = 50",
    ].join("\n"),
  );
  assert.deepEqual(conf.timex, { enabled: true, updateEvery: 30, syncState: false, timeOffset: true });
  assert.deepEqual(conf.idlejitter, { enabled: false, loopTimeMs: 50 });
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(read("[plugins]\ntimex = off\n").timex.enabled, false);
});

test("internal plugins: bad values keep their defaults with errors naming file and line; unknown keys warned", () => {
  const conf = read(
    [
      "[plugin:timex]", // 1
      "  update every = 0", // 2
      "  time offset = maybe", // 3
      "  Update Every = 5", // 4
      "[plugin:idlejitter]", // 5
      "  loop time in ms = 20ms", // 6
      "  loop time = 10", // 7
    ].join("\n"),
  );
  assert.deepEqual(conf.timex, { enabled: true, updateEvery: 10, syncState: true, timeOffset: true });
  assert.equal(conf.idlejitter.loopTimeMs, 20);
  assert.deepEqual(conf.diagnostics.map(formatDiagnostic), [
    "netdata.conf:2: [plugin:timex] update every = 0: expected a whole number of at least 1, found '0'; keeping the default (10)",
    "netdata.conf:3: [plugin:timex] time offset = maybe: expected yes, no or auto, found 'maybe'; keeping the default (yes)",
    "netdata.conf:4: [plugin:timex] unknown key 'Update Every' (did you mean 'update every'? keys are case-sensitive); Netdata ignores it",
    "netdata.conf:6: [plugin:idlejitter] loop time in ms = 20ms: expected a whole number of at least 1, found '20ms'; keeping the default (20)",
    "netdata.conf:7: [plugin:idlejitter] unknown key 'loop time' (did you mean 'loop time in ms'?); Netdata ignores it",
  ]);
  assert.deepEqual(conf.diagnostics.map((d) => d.severity), ["error", "error", "warning", "error", "warning"]);
});
