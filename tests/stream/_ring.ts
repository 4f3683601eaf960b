/**
 * A replay ring that hears a host's iterations, as the collector's cli wires it (before the sender).
 */
import type { Host } from "../../src/metrics/host.ts";
import { ReplayRing } from "../../src/stream/replay_ring.ts";

/** A ring of `budgetBytes` (the default `buffer size bytes`) observing `host`. */
export function observingRing(host: Host, budgetBytes = 10 * 1024 * 1024): ReplayRing {
  const ring = new ReplayRing({ budgetBytes });
  host.observe(ring);
  return ring;
}
