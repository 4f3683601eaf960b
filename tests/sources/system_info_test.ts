// Time zone facts of the handshake and local log timestamps, read without Intl: TZ, /etc/timezone, the
// /etc/localtime link and TZif file (built here byte by byte, RFC 8536), POSIX TZ strings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatTimestamp, parsePosixTz, parseTzif, UTC_ZONE } from "../../src/runtime/log.ts";
import { machineFacts, timeZoneFacts } from "../../src/sources/system_info.ts";

interface TzType {
  offset: number;
  isDst: boolean;
  abbreviation: string;
}

/** A TZif file: version 1 (32-bit times only) or 2 (a 64-bit block and a footer). */
function tzif(version: 1 | 2, transitions: [number, number][], types: TzType[], footer = ""): Uint8Array {
  const chars: number[] = [];
  const at: number[] = [];
  for (const t of types) {
    at.push(chars.length);
    for (const ch of t.abbreviation) chars.push(ch.charCodeAt(0));
    chars.push(0);
  }
  const block = (timeSize: 4 | 8): number[] => {
    const out: number[] = [];
    const u32 = (n: number) => out.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
    out.push(0x54, 0x5a, 0x69, 0x66, version === 1 ? 0 : 0x32, ...new Array(15).fill(0));
    [0, 0, 0, transitions.length, types.length, chars.length].forEach(u32);
    for (const [time] of transitions) {
      if (timeSize === 8) u32(Math.floor(time / 2 ** 32));
      u32(time);
    }
    for (const [, index] of transitions) out.push(index);
    types.forEach((t, k) => {
      u32(t.offset);
      out.push(t.isDst ? 1 : 0, at[k]);
    });
    out.push(...chars);
    return out;
  };
  const bytes = version === 1 ? block(4) : [...block(4), ...block(8), ...new TextEncoder().encode(`\n${footer}\n`)];
  return new Uint8Array(bytes);
}

const CET = { offset: 3600, isDst: false, abbreviation: "CET" };
const CEST = { offset: 7200, isDst: true, abbreviation: "CEST" };
// Europe/Berlin's 2023 changes (26 March 01:00 UTC, 29 October 01:00 UTC), then its rule.
const BERLIN = tzif(2, [[1679792400, 1], [1698541200, 0]], [CET, CEST], "CET-1CEST,M3.5.0,M10.5.0/3");
const WINTER_2023 = Date.UTC(2023, 0, 15, 12);
const SUMMER_2023 = Date.UTC(2023, 6, 15, 12);
const SUMMER_2030 = Date.UTC(2030, 6, 15, 12); // past the last transition: the footer rule

function withRoot(fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), "rill-tz-root-"));
  try {
    mkdirSync(join(root, "etc"));
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("without TZ, /etc/timezone or /etc/localtime: Etc/UTC, UTC, 0", () => {
  withRoot((root) => {
    assert.deepEqual(timeZoneFacts(root, undefined, SUMMER_2023), {
      timezone: "Etc/UTC",
      abbrevTimezone: "UTC",
      utcOffset: 0,
    });
  });
});

test("the name comes from /etc/timezone, abbreviation and offset from the TZif /etc/localtime", () => {
  withRoot((root) => {
    writeFileSync(join(root, "etc", "timezone"), "Europe/Berlin\n");
    writeFileSync(join(root, "etc", "localtime"), BERLIN);
    assert.deepEqual(timeZoneFacts(root, undefined, WINTER_2023), {
      timezone: "Europe/Berlin",
      abbrevTimezone: "CET",
      utcOffset: 3600,
    });
    assert.deepEqual(timeZoneFacts(root, undefined, SUMMER_2023).abbrevTimezone, "CEST");
    assert.deepEqual(timeZoneFacts(root, undefined, SUMMER_2030).utcOffset, 7200);
  });
});

test("without /etc/timezone the name is the /etc/localtime link's target after zoneinfo/", () => {
  withRoot((root) => {
    mkdirSync(join(root, "usr", "share", "zoneinfo", "Europe"), { recursive: true });
    const file = join(root, "usr", "share", "zoneinfo", "Europe", "Berlin");
    writeFileSync(file, BERLIN);
    symlinkSync(file, join(root, "etc", "localtime"));
    assert.deepEqual(timeZoneFacts(root, undefined, SUMMER_2023), {
      timezone: "Europe/Berlin",
      abbrevTimezone: "CEST",
      utcOffset: 7200,
    });
  });
});

test("TZ wins: a zone under the root's zoneinfo, a POSIX string; a leading ':' hides it from the name", () => {
  withRoot((root) => {
    writeFileSync(join(root, "etc", "timezone"), "Etc/UTC\n");
    mkdirSync(join(root, "usr", "share", "zoneinfo", "Europe"), { recursive: true });
    writeFileSync(join(root, "usr", "share", "zoneinfo", "Europe", "Berlin"), BERLIN);
    assert.deepEqual(timeZoneFacts(root, "Europe/Berlin", WINTER_2023), {
      timezone: "Europe/Berlin",
      abbrevTimezone: "CET",
      utcOffset: 3600,
    });
    assert.deepEqual(timeZoneFacts(root, ":Europe/Berlin", SUMMER_2023), {
      timezone: "Etc/UTC",
      abbrevTimezone: "CEST",
      utcOffset: 7200,
    });
    assert.deepEqual(timeZoneFacts(root, "EST5EDT,M3.2.0,M11.1.0", SUMMER_2023), {
      timezone: "EST5EDT,M3.2.0,M11.1.0",
      abbrevTimezone: "EDT",
      utcOffset: -14400,
    });
    assert.equal(timeZoneFacts(root, "", SUMMER_2023).abbrevTimezone, "UTC");
  });
});

test("machineFacts carries the time zone facts", () => {
  withRoot((root) => {
    writeFileSync(join(root, "etc", "timezone"), "Europe/Berlin\n");
    writeFileSync(join(root, "etc", "localtime"), BERLIN);
    const facts = machineFacts(root);
    assert.equal(facts.timezone, "Europe/Berlin");
    assert.ok(facts.abbrevTimezone === "CET" || facts.abbrevTimezone === "CEST");
    assert.ok(facts.utcOffset === 3600 || facts.utcOffset === 7200);
  });
});

test("TZif version 1 files and times before the first transition", () => {
  const zone = parseTzif(tzif(1, [[1679792400, 1], [1698541200, 0]], [CET, CEST]))!;
  assert.equal(zone.at(SUMMER_2023 / 1000).abbreviation, "CEST");
  assert.equal(zone.at(0).abbreviation, "CET");
  assert.equal(zone.at(SUMMER_2030 / 1000).abbreviation, "CET"); // no footer: the last type stays
  assert.equal(parseTzif(new TextEncoder().encode("not a zone file")), undefined);
});

test("POSIX TZ strings: quoted names, southern hemisphere rules, Jn days and switch times", () => {
  const sydney = parsePosixTz("AEST-10AEDT,M10.1.0,M4.1.0/3")!;
  assert.deepEqual(sydney.at(Date.UTC(2024, 0, 10) / 1000), { offset: 39600, abbreviation: "AEDT", isDst: true });
  assert.equal(sydney.at(Date.UTC(2024, 6, 10) / 1000).offset, 36000);
  assert.deepEqual(parsePosixTz("<+0530>-5:30")!.at(0), { offset: 19800, abbreviation: "+0530", isDst: false });
  const berlin = parsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3")!;
  // 2024-03-31 01:00 UTC is the switch: one second before is CET, at it CEST.
  assert.equal(berlin.at(Date.UTC(2024, 2, 31, 0, 59, 59) / 1000).abbreviation, "CET");
  assert.equal(berlin.at(Date.UTC(2024, 2, 31, 1) / 1000).abbreviation, "CEST");
  assert.equal(berlin.at(Date.UTC(2024, 9, 27, 0, 59, 59) / 1000).abbreviation, "CEST");
  assert.equal(berlin.at(Date.UTC(2024, 9, 27, 1) / 1000).abbreviation, "CET");
  const julian = parsePosixTz("XST5XDT,J60/0,J300")!;
  assert.equal(julian.at(Date.UTC(2024, 2, 1, 5) / 1000).abbreviation, "XDT"); // J60 is 1 March, leap or not
  assert.equal(julian.at(Date.UTC(2024, 1, 29, 12) / 1000).abbreviation, "XST");
  assert.equal(parsePosixTz("Europe/Berlin"), undefined);
});

test("log timestamps: YYYY-MM-DD HH:MM:SS in the zone's local time", () => {
  assert.equal(formatTimestamp(0, UTC_ZONE), "1970-01-01 00:00:00");
  assert.equal(formatTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59, 999), UTC_ZONE), "2024-02-29 23:59:59");
  const berlin = parseTzif(BERLIN)!;
  assert.equal(formatTimestamp(Date.UTC(2023, 11, 31, 23, 30), berlin), "2024-01-01 00:30:00");
  assert.equal(formatTimestamp(SUMMER_2023, berlin), "2023-07-15 14:00:00");
  assert.equal(formatTimestamp(Date.UTC(1969, 11, 31, 23, 0, 1), UTC_ZONE), "1969-12-31 23:00:01");
});
