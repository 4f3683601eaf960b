// JSON text built from parts reads exactly as JSON.stringify(value, null, "\t").
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonMember, jsonObject, jsonText } from "../../../../src/parent/web/api/json_text.ts";

test("an object built member by member, nested two deep, equals JSON.stringify's text", () => {
  const inner = { "a.b": { name: "x\ny", list: [1, { z: null }], empty: {} }, 'c"d': [] };
  const value = { first: 1, charts: inner, last: ["s"] };
  const charts = jsonObject(Object.entries(inner).map(([k, v]) => jsonMember(k, jsonText(v, 2), 1)), 1);
  const text = jsonObject([
    jsonMember("first", jsonText(1, 1), 0),
    jsonMember("charts", charts, 0),
    jsonMember("last", jsonText(["s"], 1), 0),
  ], 0);
  assert.equal(text, JSON.stringify(value, null, "\t"));
  assert.equal(jsonObject([], 3), JSON.stringify({}, null, "\t"));
});
