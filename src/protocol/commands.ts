/**
 * Typed commands of the streaming line language (protocol reference §6 and §7).
 *
 * Child → parent commands ({@link ChildCommand}) carry definitions, data and replication answers;
 * parent → child commands ({@link ParentCommand}) are requests. Optional trailing fields that a plugin
 * may leave out are filled with Netdata's defaults at decode time, so every command is complete.
 *
 * @module
 */

import type { CollectedNumber } from "./numbers.ts";

/** Chart types; Netdata reads any other word as `line`. */
export type ChartType = "line" | "area" | "stacked";

/** Dimension algorithms; Netdata reads any other word as `absolute`. */
export type Algorithm =
  | "absolute"
  | "incremental"
  | "percentage-of-absolute-row"
  | "percentage-of-incremental-row";

/** Label sources (bit set): 1 auto, 2 config, 4 k8s, 8 ACLK; bit 29 marks a permanent label. */
export const LABEL_SOURCE = { AUTO: 1, CONFIG: 2, K8S: 4, ACLK: 8, PERMANENT: 1 << 29 } as const;

/** `CLAIMED_ID <machine_guid> <claim_id|NULL>`. */
export interface ClaimedIdCommand {
  readonly kind: "CLAIMED_ID";
  readonly machineGuid: string;
  /** `null` when the child sent `NULL` (not claimed). */
  readonly claimId: string | null;
}

/** `LABEL "<name>" = <source> "<value>"`: one host label, applied by the next `OVERWRITE labels`. */
export interface LabelCommand {
  readonly kind: "LABEL";
  readonly name: string;
  readonly source: number;
  readonly value: string;
}

/** `OVERWRITE labels`: replace the host's labels with those sent since the last one. */
export interface OverwriteCommand {
  readonly kind: "OVERWRITE";
  /** What to overwrite; 1.37 only knows `labels`. */
  readonly what: string;
}

/** `CHART`: opens a chart definition block (or redefines the chart). */
export interface ChartCommand {
  readonly kind: "CHART";
  /** Full `type.id`. */
  readonly id: string;
  /** The name after its `type.` as sent; `""` when the name equals the id. */
  readonly name: string;
  readonly title: string;
  readonly units: string;
  readonly family: string;
  readonly context: string;
  readonly chartType: ChartType;
  readonly priority: number;
  /** Seconds; 0 means the host's default. */
  readonly updateEvery: number;
  /** Space-separated flags: `obsolete`, `detail`, `store_first`, `hidden`. */
  readonly options: string;
  readonly plugin: string;
  readonly module: string;
}

/** `CLABEL "<name>" "<value>" <source>`: a chart label, applied by `CLABEL_COMMIT`. */
export interface ChartLabelCommand {
  readonly kind: "CLABEL";
  readonly name: string;
  readonly value: string;
  readonly source: number;
}

/** `CLABEL_COMMIT`: replace the current chart's labels with those sent since the last commit. */
export interface ChartLabelCommitCommand {
  readonly kind: "CLABEL_COMMIT";
}

/** `DIMENSION`: adds or updates a dimension of the current chart. */
export interface DimensionCommand {
  readonly kind: "DIMENSION";
  readonly id: string;
  /** `""` when the name is the id. */
  readonly name: string;
  readonly algorithm: Algorithm;
  /** Never 0 (Netdata reads 0 as 1). */
  readonly multiplier: number;
  /** Never 0 (Netdata reads 0 as 1). */
  readonly divisor: number;
  /** Space-separated flags: `obsolete`, `hidden`, `noreset`, `nooverflow`. */
  readonly options: string;
}

/** `FUNCTION [GLOBAL] "<name>" <timeout> "<help>"`: a function the child can run (definition). */
export interface FunctionDefinitionCommand {
  readonly kind: "FUNCTION";
  /** True for `FUNCTION GLOBAL` (host-wide); false for one bound to the current chart. */
  readonly global: boolean;
  readonly name: string;
  readonly timeoutSeconds: number;
  readonly help: string;
}

/** Scope word of `VARIABLE`; `""` when omitted (then the current chart, if any, decides). */
export type VariableScope = "HOST" | "GLOBAL" | "CHART" | "LOCAL" | "";

/** `VARIABLE [HOST|GLOBAL|CHART|LOCAL] <name> = <double>`. */
export interface VariableCommand {
  readonly kind: "VARIABLE";
  readonly scope: VariableScope;
  readonly name: string;
  readonly value: number;
}

/** `CHART_DEFINITION_END <first_entry_s> <last_entry_s> <child_now_s>`: the child's retention for the chart. */
export interface ChartDefinitionEndCommand {
  readonly kind: "CHART_DEFINITION_END";
  readonly firstEntry: number;
  readonly lastEntry: number;
  readonly childNow: number;
}

/** `BEGIN "<chart>" <microseconds>`: opens one collection of a chart. */
export interface BeginCommand {
  readonly kind: "BEGIN";
  readonly chart: string;
  /** Microseconds since the chart's previous collection; 0 = "use your own clock". */
  readonly microseconds: number;
}

/** `SET "<dimension>" = <value>`: a raw collected value. */
export interface SetCommand {
  readonly kind: "SET";
  readonly dimension: string;
  /** `null` for an empty value, which Netdata ignores. */
  readonly value: CollectedNumber | null;
}

/** `END`: closes the collection opened by `BEGIN`. */
export interface EndCommand {
  readonly kind: "END";
}

/** `RBEGIN "<chart>"` opens a replication answer; `RBEGIN '' <start> <end> <now>` starts one point of it. */
export interface ReplayBeginCommand {
  readonly kind: "RBEGIN";
  /** The chart id; `""` means the chart of the open answer. */
  readonly chart: string;
  /** The point's time range (epoch seconds) and the child's clock; `null` for the opening form. */
  readonly range: { readonly start: number; readonly end: number; readonly childNow: number } | null;
}

/** `RSET "<dimension>" <value|NAN> "<flags>"`: one stored value of a replicated point. */
export interface ReplaySetCommand {
  readonly kind: "RSET";
  readonly dimension: string;
  readonly value: number;
  /** `""` normal, `R` counter reset, `E` empty slot. */
  readonly flags: string;
}

/** `RDSTATE`: a dimension's collection state, sent when streaming is about to start. */
export interface ReplayDimensionStateCommand {
  readonly kind: "RDSTATE";
  readonly dimension: string;
  readonly lastCollectedUs: number;
  readonly lastCollected: CollectedNumber;
  readonly lastCalculated: number;
  readonly lastStored: number;
}

/** `RSSTATE <last_collected_us> <last_updated_us>`: the chart's collection state. */
export interface ReplayChartStateCommand {
  readonly kind: "RSSTATE";
  readonly lastCollectedUs: number;
  readonly lastUpdatedUs: number;
}

/** `REND <update_every> <first> <last> <start_streaming> <after> <before> [<child_now>]`. */
export interface ReplayEndCommand {
  readonly kind: "REND";
  readonly updateEvery: number;
  readonly firstEntry: number;
  readonly lastEntry: number;
  /** True: normal `BEGIN`/`SET`/`END` follows; false: ask again from `before`. */
  readonly startStreaming: boolean;
  readonly after: number;
  readonly before: number;
  /** The child's clock; 0 when the child left it out. */
  readonly childNow: number;
}

/** `FUNCTION_RESULT_BEGIN … FUNCTION_RESULT_END`: the answer to a function call, payload kept verbatim. */
export interface FunctionResultCommand {
  readonly kind: "FUNCTION_RESULT";
  readonly transaction: string;
  readonly httpCode: number;
  readonly contentType: string;
  readonly expires: number;
  /** The lines between the markers, each followed by `\n`. */
  readonly payload: string;
}

/** `FLUSH`: forget the current chart. */
export interface FlushCommand {
  readonly kind: "FLUSH";
}

/** `DISABLE`: the sender asks to be disconnected. */
export interface DisableCommand {
  readonly kind: "DISABLE";
}

/** Everything a child (or a proxy) sends after the handshake. */
export type ChildCommand =
  | ClaimedIdCommand
  | LabelCommand
  | OverwriteCommand
  | ChartCommand
  | ChartLabelCommand
  | ChartLabelCommitCommand
  | DimensionCommand
  | FunctionDefinitionCommand
  | VariableCommand
  | ChartDefinitionEndCommand
  | BeginCommand
  | SetCommand
  | EndCommand
  | ReplayBeginCommand
  | ReplaySetCommand
  | ReplayDimensionStateCommand
  | ReplayChartStateCommand
  | ReplayEndCommand
  | FunctionResultCommand
  | FlushCommand
  | DisableCommand;

/** `REPLAY_CHART "<chart>" "<true|false>" <after> <before>`: the parent asks for a chart's history. */
export interface ReplayChartCommand {
  readonly kind: "REPLAY_CHART";
  readonly chart: string;
  /** True: after answering, start streaming the chart. */
  readonly startStreaming: boolean;
  /** Epoch seconds; `0 0` asks for no history. */
  readonly after: number;
  readonly before: number;
}

/** `FUNCTION <transaction> <timeout> "<function and arguments>"`: the parent calls a function. */
export interface FunctionCallCommand {
  readonly kind: "FUNCTION_CALL";
  readonly transaction: string;
  readonly timeoutSeconds: number;
  readonly function: string;
}

/** Everything a parent sends to a child after its handshake reply. */
export type ParentCommand = ReplayChartCommand | FunctionCallCommand;
