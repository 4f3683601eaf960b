// The REPLAY_CHART decisions of a 1.37 parent (protocol reference §7.1), on the real manual session's
// numbers where there are some.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ReplicationInput, replicationRequest } from "../../../src/parent/receiver/replication.ts";

const base: ReplicationInput = {
  chart: "manual.test",
  enabled: true,
  secondsToReplicate: 86400,
  stepSeconds: 600,
  nowS: 1795423447,
  dimensions: 2,
  localLastS: 0,
  childFirstS: 1795423347,
  childLastS: 1795423446,
  previousAfterS: 0,
  previousBeforeS: 0,
};

const ask = (startStreaming: boolean, after: number, before: number) => ({
  kind: "REPLAY_CHART",
  chart: "manual.test",
  startStreaming,
  after,
  before,
});

test("replication: the real parent's two requests of netdata-1.37-parent-manual-session.txt", () => {
  assert.deepEqual(replicationRequest(base), ask(true, 1795423347, 1795423446));
  const again = { ...base, previousAfterS: 1795423347, previousBeforeS: 1795423446 };
  assert.deepEqual(replicationRequest(again), ask(true, 1795423446, 1795423446));
});

test("replication: the empty request when off, no child data, no dimensions, bad child range or parent newer", () => {
  for (
    const input of [
      { enabled: false },
      { childFirstS: 0, childLastS: 0 },
      { dimensions: 0 },
      { childFirstS: 0 },
      { childFirstS: 1795423446, childLastS: 1795423347 },
      { localLastS: 1795423447 },
    ]
  ) {
    assert.deepEqual(replicationRequest({ ...base, ...input }), ask(true, 0, 0), JSON.stringify(input));
  }
});

test("replication: a long gap is asked in steps from the parent's last point, streaming only at the end", () => {
  const long = { ...base, childFirstS: base.nowS - 86400 * 2, childLastS: base.nowS - 1, localLastS: base.nowS - 3000 };
  assert.deepEqual(replicationRequest(long), ask(false, base.nowS - 3000, base.nowS - 2400));
  const empty = { ...long, localLastS: 0 };
  assert.deepEqual(replicationRequest(empty), ask(false, base.nowS - 86400, base.nowS - 86400 + 600));
  const last = { ...long, previousAfterS: base.nowS - 1200, previousBeforeS: base.nowS - 600 };
  assert.deepEqual(replicationRequest(last), ask(true, base.nowS - 600, base.nowS - 1));
});
