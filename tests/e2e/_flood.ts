/**
 * A flood for memory-bound tests: an external plugin that feeds its collector about 1 MB/s, and the resident
 * size of a process.
 */
import { readFileSync } from "node:fs";

/** 20 charts of 250 dimensions (~110 kB of text per round), ten rounds a second. */
export const FLOOD_PLUGIN = `#!/bin/sh
defs="" ; data=""
for c in $(seq 1 20); do
  defs="$defs
CHART flood.c$c '' 'flood' x flood flood.c$c line $((90000 + c)) $1"
  data="$data
BEGIN flood.c$c"
  for d in $(seq 1 250); do
    defs="$defs
DIMENSION dimension_number_$d '' absolute 1 1"
    data="$data
SET dimension_number_$d = 1234567890$d"
  done
  data="$data
END"
done
echo "$defs"
while true; do echo "$data"; sleep 0.1; done
`;

/** VmRSS of `pid`, KiB. */
export function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}
