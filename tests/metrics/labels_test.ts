// Label names and values as a 1.37 agent stores them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LABEL_NAME_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  sanitizeLabelName,
  sanitizeLabelValue,
} from "../../src/metrics/labels.ts";

test("label values: brackets, quotes and separators as 1.37 maps them; blanks collapse and trim", () => {
  assert.equal(sanitizeLabelValue("[none]"), "_none_");
  assert.equal(sanitizeLabelValue("/proc/stat"), "/proc/stat");
  assert.equal(sanitizeLabelValue("Debian GNU/Linux 12 (bookworm)"), "Debian GNU/Linux 12 (bookworm)");
  assert.equal(sanitizeLabelValue("  a   b  "), "a b");
  assert.equal(sanitizeLabelValue("a\tb"), "a_b");
  assert.equal(sanitizeLabelValue("x=1;y,z"), "x:1:y.z");
  assert.equal(sanitizeLabelValue('say "hi"!'), "say _hi__");
  assert.equal(sanitizeLabelValue("C:\\dir"), "C:/dir");
  assert.equal(sanitizeLabelValue("2.596e+09"), "2.596e+09");
  assert.equal(sanitizeLabelValue("ünïcode ✓"), "ünïcode ✓");
});

test("label values: empty or all underscores become [none]", () => {
  assert.equal(sanitizeLabelValue(""), "[none]");
  assert.equal(sanitizeLabelValue("   "), "[none]");
  assert.equal(sanitizeLabelValue("___"), "[none]");
  assert.equal(sanitizeLabelValue("[]"), "[none]");
});

test("label names: lower case, separators and non-ASCII to underscores; empty means dropped", () => {
  assert.equal(sanitizeLabelName("_collect_module"), "_collect_module");
  assert.equal(sanitizeLabelName("Rack Position"), "rack_position");
  assert.equal(sanitizeLabelName("a=b:c+d;e@f(g)"), "a_b_c_d_e_f_g_");
  assert.equal(sanitizeLabelName("naïve"), "na_ve");
  assert.equal(sanitizeLabelName("___"), "");
  assert.equal(sanitizeLabelName(""), "");
});

test("long names and values are cut as 1.37 cuts them: 199 and 799 bytes, never inside a character", () => {
  assert.equal(sanitizeLabelName("N".repeat(300)), "n".repeat(LABEL_NAME_MAX_BYTES));
  assert.equal(sanitizeLabelValue("v".repeat(1000)), "v".repeat(LABEL_VALUE_MAX_BYTES));
  // 399 two-byte characters fill 798 bytes: the 400th does not fit whole.
  assert.equal(sanitizeLabelValue("é".repeat(500)), "é".repeat(399));
  // No blank is left at the cut.
  assert.equal(sanitizeLabelValue(`${"v".repeat(LABEL_VALUE_MAX_BYTES - 1)} tail`), "v".repeat(798));
  assert.equal(sanitizeLabelValue("short value"), "short value");
});
