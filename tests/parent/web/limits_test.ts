// The web limits read from netdata.conf: the connection caps, the idle and first-request deadlines; fixed bounds for the rest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetdataConf } from "../../../src/config/mod.ts";
import { webLimits } from "../../../src/parent/web/limits.ts";

test("webLimits: [web] options set the caps and the deadlines; overrides win", () => {
  const conf = parseNetdataConf(
    "[web]\n  web server max sockets = 300\n  web server max sockets per address = 20\n" +
      "  disconnect idle clients after seconds = 7\n  timeout for first request = 2\n",
  );
  const limits = webLimits(conf);
  assert.equal(limits.maxConnections, 300);
  assert.equal(limits.maxConnectionsPerAddress, 20);
  assert.equal(limits.idleTimeoutMs, 7000);
  assert.equal(limits.firstRequestTimeoutMs, 2000);
  assert.equal(webLimits(parseNetdataConf("")).idleTimeoutMs, 60_000, "1.37's default");
  assert.equal(webLimits(conf, { idleTimeoutMs: 200 }).idleTimeoutMs, 200);
});
