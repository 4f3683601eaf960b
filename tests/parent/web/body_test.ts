import { test } from "node:test";
import assert from "node:assert/strict";
import { BodyBuilder, JsonStringSink } from "../../../src/parent/web/body.ts";
import { bodyText } from "./_body.ts";

test("a body built from many small pieces is kept as byte slices of about 64 KiB, never one string", () => {
  const body = new BodyBuilder();
  const line = "1700000000,1.5,2.25,null\r\n"; // 26 characters
  for (let i = 0; i < 20_000; i++) body.add(line);
  const slices = body.finish();
  assert.equal(bodyText(slices), line.repeat(20_000));
  assert.equal(slices.reduce((n, s) => n + s.length, 0), 26 * 20_000);
  // 520,000 bytes in slices that each stopped within one piece of 64 KiB: no slice holds the whole body.
  assert.ok(slices.length >= 7, `${slices.length} slices`);
  for (const slice of slices) assert.ok(slice.length < 64 * 1024 + line.length, `a slice of ${slice.length} bytes`);
});

test("slices are UTF-8 and cut between pieces, so a multi-byte character is never split", () => {
  const body = new BodyBuilder();
  const piece = "é€😀,"; // 2 + 3 + 4 + 1 bytes, 5 UTF-16 units
  for (let i = 0; i < 30_000; i++) body.add(piece);
  const slices = body.finish();
  assert.ok(slices.length > 1);
  for (const slice of slices) assert.equal(slice.length % 10, 0, "each slice holds whole pieces");
  assert.equal(bodyText(slices), piece.repeat(30_000));
});

test("finish() hands the slices over: an empty body has none, and adding afterwards starts anew", () => {
  const body = new BodyBuilder();
  assert.deepEqual(body.finish(), []);
  body.add("a");
  assert.equal(bodyText(body.finish()), "a");
  body.add("b");
  assert.equal(bodyText(body.finish()), "b");
});

test("JsonStringSink writes the inside of one JSON string, piece by piece", () => {
  const body = new BodyBuilder();
  const text = 'time,"a"\tb\\c\r\n1,é\u0001\n';
  body.add('"');
  const sink = new JsonStringSink(body);
  for (const line of text.split(/(?<=\n)/)) sink.add(line);
  body.add('"');
  const json = bodyText(body.finish());
  assert.equal(json, JSON.stringify(text));
  assert.equal(JSON.parse(json), text);
});
