/**
 * The CPU and memory sources of the proc plugin, in the order Netdata 1.37 runs its modules.
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { entropySource } from "./entropy.ts";
import { interruptsSource } from "./interrupts.ts";
import { meminfoSource } from "./meminfo.ts";
import { pressureSource } from "./pressure.ts";
import { softirqsSource } from "./softirqs.ts";
import { statSource } from "./stat.ts";
import { uptimeSource } from "./uptime.ts";
import { vmstatSource } from "./vmstat.ts";
import { zramSource } from "./zram.ts";

/**
 * All CPU and memory sources: /proc/stat, uptime, entropy, pressure, interrupts, softirqs, vmstat,
 * meminfo and zram.
 *
 * @example
 * ```ts
 * const sources = cpuMemorySources({ host, root: "/", updateEvery: 1, log });
 * for (const s of sources) s.collect(Date.now() * 1000);
 * ```
 */
export function cpuMemorySources(ctx: SourceContext): Source[] {
  return [
    statSource(ctx),
    uptimeSource(ctx),
    entropySource(ctx),
    pressureSource(ctx),
    interruptsSource(ctx),
    softirqsSource(ctx),
    vmstatSource(ctx),
    meminfoSource(ctx),
    zramSource(ctx),
  ];
}
