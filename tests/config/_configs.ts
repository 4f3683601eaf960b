/** Helpers for the config tests: the 38 real config files of `fixtures/configs/`. */
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fixturePath, fixtureText } from "../_fixtures.ts";
import {
  type ConfigDiagnostic,
  type NetdataConf,
  parseNetdataConf,
  parseStreamConf,
  type StreamConf,
} from "../../src/config/mod.ts";

/** Names of the 38 config files, sorted (`001-…` to `038-…`). */
export const CONFIG_FILES: readonly string[] = readdirSync(dirname(fixturePath("configs/README.md")))
  .filter((n) => /^[0-9]{3}-/.test(n))
  .sort();

/** The full file name starting with `NNN-`. */
export function configName(number: string): string {
  const name = CONFIG_FILES.find((n) => n.startsWith(`${number}-`));
  if (name === undefined) throw new Error(`no config fixture ${number}`);
  return name;
}

/** Raw text of config fixture `NNN`. */
export function configText(number: string): string {
  return fixtureText(`configs/${configName(number)}`);
}

/** Whether a fixture is a `stream.conf` (else a `netdata.conf`). */
export function isStreamFile(name: string): boolean {
  return name.includes("stream");
}

/** Whether the README calls the file a template (Jinja/ERB by extension, Helm ones by number). */
export function isTemplate(name: string): boolean {
  return /\.(j2|erb)$/.test(name) || /^02[24]-/.test(name) || /^010-/.test(name);
}

/** Parses fixture `NNN` as stream.conf, named by its file name in diagnostics. */
export function streamFixture(number: string): StreamConf {
  return parseStreamConf(configText(number), configName(number));
}

/** Parses fixture `NNN` as netdata.conf, named by its file name in diagnostics. */
export function netdataFixture(number: string): NetdataConf {
  return parseNetdataConf(configText(number), configName(number));
}

/** `[line, severity]` pairs of a diagnostic list, for compact assertions. */
export function where(diagnostics: readonly ConfigDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line}:${d.severity}`);
}

/** The diagnostics of one severity. */
export function only(diagnostics: readonly ConfigDiagnostic[], severity: "error" | "warning"): ConfigDiagnostic[] {
  return diagnostics.filter((d) => d.severity === severity);
}
