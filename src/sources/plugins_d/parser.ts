/**
 * The reading side of one external plugin: its standard output, in whatever chunks the pipe delivers,
 * turned into calls on the metrics model, with Netdata 1.37's meaning for each command of the plugins.d
 * line language.
 *
 * Anything 1.37 answers by disabling the plugin (an unknown keyword, `SET` for a dimension the chart does
 * not have, `BEGIN` for a chart that does not exist, `SET`/`END`/`DIMENSION` without a chart, an over-long
 * line, a malformed argument) throws a {@link ProtocolError} naming the plugin, the line number and the
 * line's text; the runner then stops the plugin.
 *
 * @module
 */

import type { Chart, Label } from "../../metrics/chart.ts";
import { defineChart, defineDimension } from "../../metrics/definitions.ts";
import type { Host } from "../../metrics/host.ts";
import type { ChartCommand, ChildCommand, VariableCommand } from "../../protocol/commands.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";
import { decodeChildWords, decodeHotLine, type LineOrigin } from "../../protocol/decode.ts";
import { ProtocolError } from "../../protocol/errors.ts";
import { LineSplitter } from "../../protocol/line_splitter.ts";
import { MAX_WORDS, splitWords } from "../../protocol/words.ts";
import type { Logger } from "../../runtime/log.ts";

/**
 * What a parser needs to know about its plugin.
 *
 * @example
 * ```ts
 * const options: PluginParserOptions = { host, plugin: "example.plugin", updateEvery: 1 };
 * ```
 */
export interface PluginParserOptions {
  readonly host: Host;
  /** The plugin's file name (`example.plugin`): the `plugin` of charts that name none, and the name in errors. */
  readonly plugin: string;
  /** Seconds: the interval the plugin was started with, for charts that give none. */
  readonly updateEvery: number;
  /** Notes commands that are accepted but not acted on (once per keyword). */
  readonly log?: Logger;
  /** Wall clock in epoch µs; tests may pin it. */
  readonly nowUs?: () => number;
}

// Permanent automatic labels, as 1.37 attaches `_collect_plugin` / `_collect_module` to every chart.
const AUTO_PERMANENT = LABEL_SOURCE.AUTO | LABEL_SOURCE.PERMANENT;
// Longest excerpt of an offending line quoted in an error.
const EXCERPT = 200;
// Commands of the streaming direction that mean nothing coming from a local plugin.
const STREAMING_ONLY: ReadonlySet<string> = new Set([
  "LABEL",
  "OVERWRITE",
  "CLAIMED_ID",
  "CHART_DEFINITION_END",
  "RBEGIN",
  "RSET",
  "RDSTATE",
  "RSSTATE",
  "REND",
]);
const FUNCTION_RESULT_END = "FUNCTION_RESULT_END";

/**
 * Parses one run of one plugin (a new process gets a new parser).
 *
 * @example
 * ```ts
 * const parser = new PluginParser({ host, plugin: "example.plugin", updateEvery: 1 });
 * parser.push("CHART example.random '' 'A random number' value\nDIMENSION r\n");
 * parser.push("BEGIN example.random\nSET r = 4\nEND\n");
 * host.charts.get("example.random")?.find("r")?.value; // 4
 * parser.finish(); // the plugin ended: its charts become obsolete
 * ```
 */
export class PluginParser {
  readonly host: Host;
  readonly plugin: string;
  readonly updateEvery: number;
  readonly #log: Logger | undefined;
  readonly #nowUs: () => number;
  readonly #splitter: LineSplitter;
  readonly #words: string[] = new Array(MAX_WORDS);
  readonly #onLine = (text: string, start: number, end: number, line: number) => this.#line(text, start, end, line);
  readonly #charts = new Set<Chart>();
  readonly #ignored = new Set<string>();
  #chart: Chart | undefined;
  #pendingLabels: Map<string, Label> | undefined;
  #skippingFunctionResult = false;
  #disabled = false;
  #collections = 0;

  constructor(options: PluginParserOptions) {
    this.host = options.host;
    this.plugin = options.plugin;
    this.updateEvery = Math.max(1, Math.trunc(options.updateEvery));
    this.#log = options.log;
    this.#nowUs = options.nowUs ?? (() => Date.now() * 1000);
    this.#splitter = new LineSplitter(options.plugin);
  }

  /** True once the plugin sent `DISABLE` (it asks not to be run again); later input is ignored. */
  get disabled(): boolean {
    return this.#disabled;
  }

  /** Completed iterations (`END`s), Netdata's "successful data collections". */
  get collections(): number {
    return this.#collections;
  }

  /** Lines read so far. */
  get lineNumber(): number {
    return this.#splitter.lineNumber;
  }

  /** The charts this run defined with `CHART`. */
  get charts(): ReadonlySet<Chart> {
    return this.#charts;
  }

  /** Largest `update every` among the plugin's own and its charts', seconds. */
  get slowestUpdateEvery(): number {
    let every = this.updateEvery;
    for (const chart of this.#charts) every = Math.max(every, chart.updateEvery);
    return every;
  }

  /**
   * Feeds a chunk of standard output. Throws a {@link ProtocolError} for a line 1.37 would disable the
   * plugin for; the parser must not be fed again after that.
   */
  push(chunk: Uint8Array | string): void {
    if (this.#disabled) return;
    this.#splitter.push(chunk, this.#onLine);
  }

  /**
   * Ends the run: a half-done iteration is dropped, and (unless `obsolete` is false, as on shutdown)
   * every chart this run defined is marked obsolete, as Netdata does for a plugin that is gone.
   */
  finish(obsolete = true): void {
    if (this.#chart !== undefined) { for (const dim of this.#chart.dimensions) dim.updated = false; }
    this.#chart = undefined;
    if (!obsolete) return;
    for (const chart of this.#charts) this.host.obsolete(chart);
  }

  #line(text: string, start: number, end: number, lineNumber: number): void {
    if (this.#disabled) return;
    if (this.#skippingFunctionResult) {
      if (text.slice(start, end).trim() === FUNCTION_RESULT_END) this.#skippingFunctionResult = false;
      return;
    }
    let command: ChildCommand | undefined;
    try {
      command = decodeHotLine(text, start, end);
      if (command === undefined) {
        const count = splitWords(text, start, end, this.#words);
        if (count === 0) return;
        const origin: LineOrigin = { peer: this.plugin, line: lineNumber };
        command = decodeChildWords(this.#words, count, origin);
      }
      this.#apply(command, lineNumber);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      const excerpt = end - start > EXCERPT ? `${text.slice(start, start + EXCERPT)}…` : text.slice(start, end);
      const detail = e.message.slice(`${e.peer} line ${e.line}: `.length);
      throw new ProtocolError(e.code, this.plugin, lineNumber, `${detail} (the line: '${excerpt}')`, e.keyword);
    }
  }

  #fail(line: number, keyword: string, detail: string): never {
    throw new ProtocolError("bad-arguments", this.plugin, line, `${keyword}: ${detail}`, keyword);
  }

  #current(line: number, keyword: string): Chart {
    if (this.#chart === undefined) this.#fail(line, keyword, "no chart is open (send CHART or BEGIN first)");
    return this.#chart;
  }

  #apply(cmd: ChildCommand, line: number): void {
    switch (cmd.kind) {
      case "SET": {
        const chart = this.#current(line, "SET");
        const dim = chart.find(cmd.dimension);
        if (dim === undefined) this.#fail(line, "SET", `chart '${chart.id}' has no dimension '${cmd.dimension}'`);
        // An empty value is skipped, as 1.37 does: the dimension gets no value this iteration.
        if (cmd.value !== null) dim.set(cmd.value);
        return;
      }
      case "BEGIN": {
        const chart = this.host.charts.get(cmd.chart);
        if (chart === undefined) this.#fail(line, "BEGIN", `chart '${cmd.chart}' does not exist`);
        // The plugin's microseconds are not trusted (1.37 does not either for plugins): END uses our clock.
        this.#chart = chart;
        return;
      }
      case "END": {
        const chart = this.#current(line, "END");
        this.#chart = undefined;
        this.#collections++;
        this.host.collected(chart, this.#nowUs());
        return;
      }
      case "CHART":
        this.#defineChart(cmd);
        return;
      case "DIMENSION":
        defineDimension(this.#current(line, "DIMENSION"), cmd);
        return;
      case "CLABEL":
        (this.#pendingLabels ??= new Map()).set(cmd.name, { value: cmd.value, source: cmd.source });
        return;
      case "CLABEL_COMMIT":
        this.#commitLabels(this.#current(line, "CLABEL_COMMIT"));
        return;
      case "VARIABLE":
        this.#variable(cmd, line);
        return;
      case "FLUSH":
        this.#chart = undefined;
        return;
      case "DISABLE":
        this.#disabled = true;
        return;
      case "FUNCTION":
        // Functions need the web API to call them; until then the definition is noted and ignored.
        this.#ignore("FUNCTION", "function definitions are not supported yet");
        return;
      case "FUNCTION_RESULT":
        // Only ever an answer to a call, and we make none; skip its payload.
        this.#skippingFunctionResult = true;
        this.#ignore("FUNCTION_RESULT_BEGIN", "no function was called");
        return;
      default:
        if (STREAMING_ONLY.has(cmd.kind)) {
          this.#ignore(cmd.kind, "it belongs to streaming between agents, not to plugins");
          return;
        }
        this.#fail(line, cmd.kind, "not a plugins.d command");
    }
  }

  #ignore(keyword: string, why: string): void {
    if (this.#ignored.has(keyword)) return;
    this.#ignored.add(keyword);
    this.#log?.info(`${this.plugin}: ignoring ${keyword}: ${why}`);
  }

  #defineChart(cmd: ChartCommand): void {
    const chart = defineChart(this.host, cmd, { updateEvery: this.updateEvery, plugin: this.plugin });
    chart.label("_collect_plugin", chart.plugin, AUTO_PERMANENT);
    if (chart.module !== "") chart.label("_collect_module", chart.module, AUTO_PERMANENT);
    this.#charts.add(chart);
    this.#chart = chart;
  }

  // 1.37 replaces the chart's labels with those sent since the last commit; permanent ones stay.
  #commitLabels(chart: Chart): void {
    const next = this.#pendingLabels ?? new Map<string, Label>();
    this.#pendingLabels = undefined;
    for (const [key, label] of chart.labels) {
      if ((label.source & LABEL_SOURCE.PERMANENT) === 0 && !next.has(key)) {
        chart.labels.delete(key);
        chart.version++;
      }
    }
    for (const [key, label] of next) chart.label(key, label.value, label.source);
  }

  #variable(cmd: VariableCommand, line: number): void {
    const chartScope = cmd.scope === "CHART" || cmd.scope === "LOCAL" ||
      (cmd.scope === "" && this.#chart !== undefined);
    if (chartScope) {
      this.#current(line, "VARIABLE").variable(cmd.name, cmd.value);
    } else {
      this.host.variable(cmd.name, cmd.value);
    }
  }
}
