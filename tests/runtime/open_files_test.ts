import { test } from "node:test";
import assert from "node:assert/strict";
import { openFilesSoftLimit } from "../../src/runtime/open_files.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             96362                96362                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test("openFilesSoftLimit reads the soft limit of Max open files", () => {
  assert.equal(openFilesSoftLimit(() => LIMITS), 1024);
  assert.equal(openFilesSoftLimit(() => LIMITS.replace("1024   ", "unlimited")), undefined);
  assert.equal(
    openFilesSoftLimit(() => {
      throw new Error("ENOENT");
    }),
    undefined,
  );
  assert.ok((openFilesSoftLimit() ?? 1) > 0);
});
