/**
 * `/proc/sys/kernel/random/entropy_avail`: system.entropy, as Netdata 1.37 defines it.
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { dim } from "./_chart.ts";
import { singleValueSource } from "./_single_value.ts";

/**
 * The entropy source.
 *
 * @example
 * ```ts
 * const source = entropySource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function entropySource(ctx: SourceContext): Source {
  return singleValueSource(
    ctx,
    "/proc/sys/kernel/random/entropy_avail",
    {
      id: "system.entropy",
      title: "Available Entropy",
      units: "entropy",
      family: "entropy",
      context: "system.entropy",
      chartType: "line",
      priority: 1000,
    },
    dim("entropy", "absolute"),
    (s, text) => {
      const first = s.nextLine() && s.hasWord() ? text.charCodeAt(s.pos) : 0;
      return first >= 48 && first <= 57 ? s.number() : NaN;
    },
  );
}
