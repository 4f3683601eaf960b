// dimensions= as 1.37's simple patterns (linear matching, `,`/`|` lists, `!`, ids and names tried
// separately), on real Hosts and ram-mode HostStores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { selectDimensions } from "../../../../src/parent/web/api/rows.ts";
import { WebApi } from "../../../../src/parent/web/api/mod.ts";
import { HttpError } from "../../../../src/parent/web/http.ts";
import { CPU_CHART, testHost } from "../../../_hosts.ts";
import { conf, makeCatalogue, NOW_MS } from "../_hosts.ts";
import { answerText } from "../_body.ts";

async function labels(q: string): Promise<{ status: number; labels?: string[]; body: string }> {
  const api = new WebApi({ catalogue: makeCatalogue(), conf, nowMs: () => NOW_MS });
  const r = await answerText(api.handle(`/host/nd-child/api/v1/data?chart=system.cpu&after=-1&${q}`, "x"));
  return { status: r.status, body: r.body, labels: r.status === 200 ? JSON.parse(r.body).labels : undefined };
}

test("44 '*' and a 'Q' answer at once: no dimension matches, 404 (a backtracking RegExp never returned)", async () => {
  const r = await labels(`dimensions=${"*".repeat(44)}Q`);
  assert.deepEqual([r.status, r.body], [404, "No metrics where matched to query."]);
  // Long patterns against long names stay linear too.
  const host = testHost();
  const chart = host.chart(CPU_CHART);
  chart.dimension({ id: "a".repeat(5000), algorithm: "absolute", multiplier: 1, divisor: 1 });
  assert.throws(() => selectDimensions(chart, `${"*a".repeat(2000)}*Q`, new Set()), HttpError);
  assert.deepEqual(selectDimensions(chart, `${"*a".repeat(2000)}*`, new Set()).selected, [true]);
});

test("lists split on ',' and '|' (not on spaces), '*' anywhere, the first entry that matches decides", async () => {
  assert.deepEqual((await labels("dimensions=us*,sys*")).labels, ["time", "user", "system"]);
  assert.deepEqual((await labels("dimensions=*e*")).labels, ["time", "user", "system", "idle"]);
  // A refused entry first: idle is out, the rest in.
  assert.deepEqual((await labels("dimensions=!idle|*")).labels, ["time", "user", "system"]);
  // Refused after an accepting entry: the accepting one decided.
  assert.deepEqual((await labels("dimensions=*|!idle")).labels, ["time", "user", "system", "idle"]);
  // Repeated parameters (and 1.37's other names for it) add to the list.
  assert.deepEqual((await labels("dimension=user&dims=idle")).labels, ["time", "user", "idle"]);
  assert.equal((await labels("dimensions=us er")).status, 404);
});

test("ids and names are tried separately; match-ids / match-names restrict to one", () => {
  const host = testHost();
  const chart = host.chart(CPU_CHART);
  chart.dimension({ id: "a", name: "b", algorithm: "absolute", multiplier: 1, divisor: 1 });
  // 1.37: the id is refused by `!a`, the name accepted by `*`: selected.
  assert.deepEqual(selectDimensions(chart, "!a|*", new Set()).selected, [true]);
  assert.throws(() => selectDimensions(chart, "!a|*", new Set(["match-ids"])), /No metrics where matched/);
  assert.deepEqual(selectDimensions(chart, "b", new Set(["match-names"])).selected, [true]);
  assert.throws(() => selectDimensions(chart, "b", new Set(["match-ids"])), /No metrics where matched/);
});
