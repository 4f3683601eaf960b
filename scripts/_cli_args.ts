/**
 * The scripts' command lines: `--flag value` and `--flag=value` arguments walked in order, each handed to the
 * script with readers that check it, `-h`/`--help` and unknown flags sent to the script's usage.
 *
 * @example
 * ```ts
 * import { readFlags } from "./scripts/_cli_args.ts";
 *
 * let children = 50;
 * readFlags(process.argv.slice(2), usage, (flag, arg) => {
 *   if (flag !== "--children") return false;
 *   children = Math.trunc(arg.number(1));
 *   return true;
 * });
 * ```
 *
 * @module
 */

/**
 * The value of the flag being read.
 *
 * @example
 * ```ts
 * const seconds = arg.number(1); // usage() unless a number ≥ 1 follows the flag
 * ```
 */
export interface FlagArgument {
  /** The value as given (`usage` when none follows). */
  value(): string;
  /** The value as a number of at least `min` (`usage` otherwise). */
  number(min: number): number;
  /** The value as a comma-separated list of `allowed` words, in the order given (`usage` on another word or none). */
  list<T extends string>(allowed: readonly T[]): T[];
}

/**
 * Reads `argv`: `onFlag` takes each flag (and its value through `arg`, when it has one) and says whether it
 * knows it; `usage` gets what was wrong (`help` for `-h`/`--help`) and does not return.
 *
 * @example
 * ```ts
 * readFlags(["--seconds=5", "--verbose"], usage, (flag, arg) => {
 *   if (flag === "--seconds") seconds = arg.number(1);
 *   else if (flag === "--verbose") verbose = true;
 *   else return false;
 *   return true;
 * });
 * ```
 */
export function readFlags(
  argv: readonly string[],
  usage: (problem: string) => never,
  onFlag: (flag: string, arg: FlagArgument) => boolean,
): void {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const arg: FlagArgument = {
      value() {
        const v = inline ?? argv[++i];
        if (v === undefined) usage(`${flag} needs a value`);
        return v;
      },
      number(min) {
        const v = Number(this.value());
        if (!Number.isFinite(v) || v < min) usage(`${flag} must be a number ≥ ${min}`);
        return v;
      },
      list<T extends string>(allowed: readonly T[]): T[] {
        const words = this.value().split(",").map((w) => w.trim()).filter((w) => w !== "");
        const known = (w: string): w is T => (allowed as readonly string[]).includes(w);
        const unknown = words.find((w) => !known(w));
        if (words.length === 0 || unknown !== undefined) {
          usage(`${flag} takes a comma-separated list of ${allowed.join(", ")}, found '${unknown ?? ""}'`);
        }
        return words.filter(known);
      },
    };
    if (flag === "-h" || flag === "--help") usage("help");
    if (!onFlag(flag, arg)) usage(`unknown option ${argv[i]}`);
  }
}

/**
 * The load flags every benchmark of a parent takes: `--children N`, `--warmup S` and, where the benchmark
 * has a measuring time (`seconds` present), `--seconds S`.
 *
 * @example
 * ```ts
 * readFlags(argv, usage, (flag, arg) => flag === "--verbose" ? (verbose = true) : readLoadFlag(o, flag, arg));
 * ```
 */
export interface LoadFlags {
  children: number;
  warmup: number;
  seconds?: number;
}

/** Reads one of the {@link LoadFlags} into `load`; false for any other flag. */
export function readLoadFlag(load: LoadFlags, flag: string, arg: FlagArgument): boolean {
  if (flag === "--children") load.children = Math.trunc(arg.number(1));
  else if (flag === "--warmup") load.warmup = arg.number(0);
  else if (flag === "--seconds" && load.seconds !== undefined) load.seconds = arg.number(1);
  else return false;
  return true;
}
