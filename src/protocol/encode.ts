/**
 * Encoding of typed commands into lines, in the exact format a 1.37 sender writes, so that what we send
 * reads the same to a real Netdata parent as a Netdata child's stream.
 *
 * @module
 */

import type { ChildCommand, ParentCommand } from "./commands.ts";
import { type CollectedNumber, formatDouble } from "./numbers.ts";

/**
 * Quotes a word. Netdata has no escape that disappears, so a value holding `"` is put in `'…'`; one
 * holding both quote kinds has its `"` turned into `'`, and line breaks become spaces (both as
 * Netdata's own sanitiser does), since neither can be carried otherwise.
 *
 * @example
 * ```ts
 * quote("system.cpu"); // "\"system.cpu\""
 * quote('say "hi"'); // "'say \"hi\"'"
 * ```
 */
export function quote(word: string): string {
  if (/[\r\n]/.test(word)) word = word.replace(/[\r\n]/g, " ");
  if (!word.includes('"')) return `"${word}"`;
  if (!word.includes("'")) return `'${word}'`;
  return `"${word.replaceAll('"', "'")}"`;
}

// Words Netdata writes unquoted (variable names, GUIDs) stay bare unless they hold a separator or a quote.
function bare(word: string): string {
  return word === "" || /[\s="']/.test(word) ? quote(word) : word;
}

function collectedText(value: CollectedNumber): string {
  return typeof value === "bigint" ? value.toString() : String(value);
}

/**
 * Encodes a child → parent command as one line with its `\n` (a function result spans several lines).
 *
 * @example
 * ```ts
 * encodeChildCommand({ kind: "BEGIN", chart: "system.cpu", microseconds: 1000057 });
 * // 'BEGIN "system.cpu" 1000057\n'
 * ```
 */
export function encodeChildCommand(cmd: ChildCommand): string {
  switch (cmd.kind) {
    case "SET":
      return `SET ${quote(cmd.dimension)} = ${cmd.value === null ? '""' : collectedText(cmd.value)}\n`;
    case "BEGIN":
      return `BEGIN ${quote(cmd.chart)} ${cmd.microseconds}\n`;
    case "END":
      return "END\n";
    case "RSET":
      return `RSET ${quote(cmd.dimension)} ${formatDouble(cmd.value)} ${quote(cmd.flags)}\n`;
    case "RBEGIN":
      return cmd.range === null
        ? `RBEGIN ${quote(cmd.chart)}\n`
        : `RBEGIN ${
          cmd.chart === "" ? "''" : quote(cmd.chart)
        } ${cmd.range.start} ${cmd.range.end} ${cmd.range.childNow}\n`;
    case "CHART":
      return `CHART ${quote(cmd.id)} ${quote(cmd.name)} ${quote(cmd.title)} ${quote(cmd.units)} ${quote(cmd.family)} ${
        quote(cmd.context)
      } ${quote(cmd.chartType)} ${cmd.priority} ${cmd.updateEvery} ${quote(cmd.options)} ${quote(cmd.plugin)} ${
        quote(cmd.module)
      }\n`;
    case "DIMENSION":
      return `DIMENSION ${quote(cmd.id)} ${quote(cmd.name)} ${quote(cmd.algorithm)} ${cmd.multiplier} ${cmd.divisor} ${
        quote(cmd.options)
      }\n`;
    case "CLABEL":
      return `CLABEL ${quote(cmd.name)} ${quote(cmd.value)} ${cmd.source}\n`;
    case "CLABEL_COMMIT":
      return "CLABEL_COMMIT\n";
    case "LABEL":
      return `LABEL ${quote(cmd.name)} = ${cmd.source} ${quote(cmd.value)}\n`;
    case "OVERWRITE":
      return `OVERWRITE ${bare(cmd.what)}\n`;
    case "CLAIMED_ID":
      return `CLAIMED_ID ${bare(cmd.machineGuid)} ${bare(cmd.claimId ?? "NULL")}\n`;
    case "FUNCTION":
      return `FUNCTION ${cmd.global ? "GLOBAL " : ""}${quote(cmd.name)} ${cmd.timeoutSeconds} ${quote(cmd.help)}\n`;
    case "VARIABLE":
      return `VARIABLE ${cmd.scope === "" ? "" : `${cmd.scope} `}${bare(cmd.name)} = ${formatDouble(cmd.value)}\n`;
    case "CHART_DEFINITION_END":
      return `CHART_DEFINITION_END ${cmd.firstEntry} ${cmd.lastEntry} ${cmd.childNow}\n`;
    case "RDSTATE":
      return `RDSTATE ${quote(cmd.dimension)} ${cmd.lastCollectedUs} ${collectedText(cmd.lastCollected)} ${
        formatDouble(cmd.lastCalculated)
      } ${formatDouble(cmd.lastStored)}\n`;
    case "RSSTATE":
      return `RSSTATE ${cmd.lastCollectedUs} ${cmd.lastUpdatedUs}\n`;
    case "REND":
      return `REND ${cmd.updateEvery} ${cmd.firstEntry} ${cmd.lastEntry} ${cmd.startStreaming} ${cmd.after} ${cmd.before} ${cmd.childNow}\n`;
    case "FUNCTION_RESULT":
      return `FUNCTION_RESULT_BEGIN ${bare(cmd.transaction)} ${cmd.httpCode} ${
        quote(cmd.contentType)
      } ${cmd.expires}\n${cmd.payload}FUNCTION_RESULT_END\n`;
    case "FLUSH":
      return "FLUSH\n";
    case "DISABLE":
      return "DISABLE\n";
  }
}

/**
 * Encodes a parent → child command as one line with its `\n`.
 *
 * @example
 * ```ts
 * encodeParentCommand({ kind: "REPLAY_CHART", chart: "system.cpu", startStreaming: true, after: 0, before: 0 });
 * // 'REPLAY_CHART "system.cpu" "true" 0 0\n'
 * ```
 */
export function encodeParentCommand(cmd: ParentCommand): string {
  switch (cmd.kind) {
    case "REPLAY_CHART":
      return `REPLAY_CHART ${quote(cmd.chart)} "${cmd.startStreaming}" ${cmd.after} ${cmd.before}\n`;
    case "FUNCTION_CALL":
      return `FUNCTION ${bare(cmd.transaction)} ${cmd.timeoutSeconds} ${quote(cmd.function)}\n`;
  }
}

/**
 * The most text one replicated point takes: its `RBEGIN '' <start> <end> <now>` and an `RSET` per dimension
 * (`dimensionIds`) with a value of up to 24 characters (a `storage_number` printed as 1.37 prints it), for
 * cutting an answer to the room a sender's buffer has.
 *
 * @example
 * ```ts
 * replayPointBytes(["user", "system"]); // 48 + 2 × 36 + 10
 * ```
 */
export function replayPointBytes(dimensionIds: readonly string[]): number {
  return dimensionIds.reduce((sum, id) => sum + id.length + 36, 48);
}
