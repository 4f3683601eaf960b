// Label names and values as a 1.37 agent stores them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sanitizeLabelName, sanitizeLabelValue } from "../../src/metrics/labels.ts";

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
