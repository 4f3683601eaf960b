// The scripts' command lines (scripts/_cli_args.ts): flags with values, and a comma-separated list of words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type LoadFlags, readFlags, readLoadFlag } from "../../scripts/_cli_args.ts";

const usage = (problem: string): never => {
  throw new Error(problem);
};

/** The lists `--parents` gave, in the order read. */
function parents(argv: string[]): string[][] {
  const lists: string[][] = [];
  readFlags(argv, usage, (flag, arg) => {
    if (flag !== "--parents") return false;
    lists.push(arg.list(["netdata", "rill"]));
    return true;
  });
  return lists;
}

test("list reads a comma-separated list of known words in the order given", () => {
  assert.deepEqual(parents(["--parents", "rill,netdata"]), [["rill", "netdata"]]);
  assert.deepEqual(parents(["--parents= netdata , ", "--parents", "rill"]), [["netdata"], ["rill"]]);
});

test("list sends another word, or none, to usage with what it found", () => {
  assert.throws(() => parents(["--parents", "netdata,nginx"]), /list of netdata, rill, found 'nginx'/);
  assert.throws(() => parents(["--parents", ","]), /list of netdata, rill, found ''/);
  assert.throws(() => parents(["--parents"]), /--parents needs a value/);
});

test("number checks its minimum and an unknown flag goes to usage", () => {
  let seconds = 0;
  const read = (argv: string[]) =>
    readFlags(argv, usage, (flag, arg) => {
      if (flag !== "--seconds") return false;
      seconds = arg.number(1);
      return true;
    });
  read(["--seconds=5"]);
  assert.equal(seconds, 5);
  assert.throws(() => read(["--seconds", "0"]), /--seconds must be a number ≥ 1/);
  assert.throws(() => read(["--verbose"]), /unknown option --verbose/);
});

test("the load flags: --children truncated, --warmup from 0, --seconds only where the benchmark measures for a time", () => {
  const read = (load: LoadFlags, argv: string[]) =>
    readFlags(argv, usage, (flag, arg) => readLoadFlag(load, flag, arg));
  const timed: LoadFlags = { children: 1, warmup: 5, seconds: 60 };
  read(timed, ["--children=12.7", "--warmup", "0", "--seconds", "30"]);
  assert.deepEqual(timed, { children: 12, warmup: 0, seconds: 30 });
  assert.throws(() => read({ children: 1, warmup: 5 }, ["--seconds", "30"]), /unknown option --seconds/);
  assert.throws(() => read(timed, ["--children", "0"]), /--children must be a number ≥ 1/);
});
