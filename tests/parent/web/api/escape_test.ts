// Child strings made safe for the API's text formats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lineText, promLabelValue, tableField } from "../../../../src/parent/web/api/escape.ts";

test("lineText: every control character (CR, LF, tab, ESC, DEL, C1) becomes a space; the rest stays", () => {
  assert.equal(lineText("cpu\r\u001b[2Jboom"), "cpu  [2Jboom");
  assert.equal(lineText("a\nb\tc\u007fd\u009be"), "a b c d e");
  assert.equal(lineText("κόσμε 💡 ok"), "κόσμε 💡 ok");
});

test("promLabelValue: backslash, quote and newline escaped; other controls become spaces", () => {
  assert.equal(promLabelValue('lab "A"'), 'lab \\"A\\"');
  assert.equal(promLabelValue("a\\b\nc"), "a\\\\b\\nc");
  assert.equal(promLabelValue("x\ry\u001bz\u0000"), "x y z ");
});

test("tableField: RFC 4180 quoting for CSV, no tabs or line breaks for TSV, formulas neutralised", () => {
  assert.equal(tableField("plain name", ","), "plain name");
  assert.equal(tableField('a,"b"', ","), '"a,""b"""');
  assert.equal(tableField("two\r\nlines", ","), '"two\r\nlines"');
  assert.equal(tableField("tab\there", ","), "tab here");
  assert.equal(tableField("tab\there", "\t"), "tab here");
  assert.equal(tableField("two\r\nlines", "\t"), "two  lines");
  for (const formula of ["=1+1", "+1", "-2", "@SUM(A1)"]) {
    assert.equal(tableField(formula, ","), `'${formula}`);
    assert.equal(tableField(formula, "\t"), `'${formula}`);
  }
  assert.equal(tableField("=a,b", ","), `"'=a,b"`);
  assert.equal(tableField("a=b", ","), "a=b");
});
