/**
 * Test harness of the receiver: a node:net server that reads each request head the way the web listener
 * does and hands the connection to a real Receiver; a recording store; raw-socket children.
 */
import { Buffer } from "node:buffer";
import { connect, createServer, type Server, type Socket } from "node:net";
import { parseStreamConf, type StreamConf } from "../../../src/config/stream_conf.ts";
import type { ReceiverPolicy } from "../../../src/parent/receiver/admission.ts";
import type { Chart } from "../../../src/metrics/chart.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { findRequestEnd } from "../../../src/protocol/handshake.ts";
import type { CollectedNumber } from "../../../src/protocol/numbers.ts";
import { SimplePattern } from "../../../src/protocol/simple_pattern.ts";
import { Logger } from "../../../src/runtime/log.ts";
import type { ReceiverSettings } from "../../../src/parent/receiver/access.ts";
import { Receiver, type ReceiverOptions } from "../../../src/parent/receiver/receiver.ts";
import { HostCatalogue, type OrphanPolicy } from "../../../src/parent/storage/catalogue.ts";
import type { CreateStore, ReceiverStore } from "../../../src/parent/receiver/store.ts";
import { HostStore } from "../../../src/parent/storage/host_store.ts";
import type { ChartSeries } from "../../../src/parent/storage/series.ts";
import { testHost } from "../../_hosts.ts";

export const KEY = "11111111-2222-3333-4444-555555555555";
export const PARENT_GUID = "16323fac-e719-11f1-a295-02fc00000001";
export const CHILD_GUID = "82be38ca-e718-11f1-8984-02fc00000001";

/** A stream.conf that accepts {@link KEY} from anywhere, children in RAM. */
export const ACCEPTING = `[${KEY}]\n    enabled = yes\n    default memory mode = ram\n`;

/** A store that records what the receiver asks of it; `lastTimeS` per chart can be preset. */
export class RecordingStore implements ReceiverStore {
  readonly policy: ReceiverPolicy;
  readonly host: Host;
  readonly collections: string[] = [];
  readonly begun: [chart: string, startS: number, endS: number][] = [];
  readonly replayed: [chart: string, endS: number, dim: string, value: number, reset: boolean][] = [];
  readonly restored: [chart: string, dim: string, lastCollected: CollectedNumber][] = [];
  readonly ended: [chart: string, startStreaming: boolean][] = [];
  readonly lastTimes: Map<string, number> = new Map();

  constructor(policy: ReceiverPolicy, host: Host) {
    this.policy = policy;
    this.host = host;
  }

  collected(chart: Chart): void {
    this.collections.push(chart.id);
  }
  changed(): void {}
  variableChanged(): void {}
  replayBegin(chartId: string, startS: number, endS: number): void {
    this.begun.push([chartId, startS, endS]);
  }
  storeReplayed(chartId: string, endS: number, dimensionId: string, value: number, reset: boolean): void {
    this.replayed.push([chartId, endS, dimensionId, value, reset]);
  }
  restoreDimension(chartId: string, dimensionId: string, _us: number, lastCollected: CollectedNumber): void {
    this.restored.push([chartId, dimensionId, lastCollected]);
  }
  restoreChart(): void {}
  replicationEnded(chartId: string, startStreaming: boolean): void {
    this.ended.push([chartId, startStreaming]);
  }
  series(chartId: string): ChartSeries | undefined {
    const last = this.lastTimes.get(chartId);
    if (last === undefined) return undefined;
    return { lastTimeS: () => last } as unknown as ChartSeries;
  }
  firstTimeS(): number {
    return 0;
  }
  lastTimeS(): number {
    return 0;
  }
}

/** Real storage for every child: `HostStore`s in memory mode ram with `history` slots, logging nowhere. */
export function ramStores(history = 60): CreateStore {
  const log = new Logger("rill-parent", "STORE", () => {});
  return (_policy, host) => new HostStore(host, { mode: "ram", history, log });
}

/** A wall clock (epoch ms) that moves `stepMs` further each time it is read. */
export function steppingClock(stepMs: number, startMs = Date.now()): () => number {
  let now = startMs - stepMs;
  return () => now += stepMs;
}

/** A running receiver behind a test listener. */
export interface TestParent {
  readonly port: number;
  readonly receiver: Receiver;
  readonly catalogue: HostCatalogue;
  readonly stores: Map<string, RecordingStore>;
  /** Error-log lines (the whole formatted lines). */
  readonly log: string[];
  readonly access: string[];
  close(): Promise<void>;
}

/** Options of {@link startParent}: stream.conf text and netdata.conf-side settings. */
export interface TestParentOptions {
  streamConf?: string;
  settings?: Partial<ReceiverSettings>;
  receiver?: Partial<ReceiverOptions>;
  /** When the catalogue forgets disconnected children (never, when left out). */
  orphans?: OrphanPolicy;
}

/** Starts a Receiver behind a loopback listener that reads heads as the web listener does. */
export async function startParent(options: TestParentOptions = {}): Promise<TestParent> {
  const conf: StreamConf = parseStreamConf(options.streamConf ?? ACCEPTING);
  const log: string[] = [];
  const access: string[] = [];
  const stores = new Map<string, RecordingStore>();
  const localSeries = { series: () => undefined, firstTimeS: () => 0, lastTimeS: () => 0 };
  const catalogue = new HostCatalogue({
    host: testHost({ hostname: "nd-parent", machineGuid: PARENT_GUID }),
    series: localSeries,
    local: true,
    status: { reachable: true, hops: 0, sinceS: 0, peer: "", capabilities: 0 },
  }, { orphans: options.orphans });
  const receiver = new Receiver({
    catalogue,
    streamConf: conf,
    settings: {
      allowStreamingFrom: SimplePattern.parse("*"),
      acceptStreamingRequestEverySeconds: 0,
      defaultUpdateEvery: 1,
      defaults: { memoryMode: "ram" },
      ...options.settings,
    },
    log: new Logger("rill-parent", "MAIN", (line) => log.push(line)),
    accessLog: (line) => access.push(line),
    createStore: (policy, host) => {
      const store = new RecordingStore(policy, host);
      stores.set(host.identity.machineGuid, store);
      return store;
    },
    ...options.receiver,
  });
  const server: Server = createServer((socket) => readHead(socket, receiver));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    receiver,
    catalogue,
    stores,
    log,
    access,
    async close() {
      await receiver.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `body` against a parent started with `options`, and closes the parent however `body` ends. */
export async function withParent(
  options: TestParentOptions,
  body: (parent: TestParent) => Promise<void>,
): Promise<void> {
  const parent = await startParent(options);
  try {
    await body(parent);
  } finally {
    await parent.close();
  }
}

function readHead(socket: Socket, receiver: Receiver): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    const from = Math.max(0, buffered.length - 3);
    buffered = Buffer.concat([buffered, chunk]);
    const end = findRequestEnd(buffered, from);
    if (end < 0) return;
    socket.pause();
    socket.off("data", onData);
    receiver.handle({
      socket,
      head: buffered.subarray(0, end - 4).toString("latin1"),
      extra: new Uint8Array(buffered.subarray(end)),
      remoteIp: (socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
      remotePort: socket.remotePort ?? 0,
      tls: false,
    });
  };
  socket.on("data", onData);
}

/** A stream request as a 1.37 child sends it, with parameters overridden or removed (`undefined`). */
export function request(params: Record<string, string | undefined> = {}): string {
  const base: Record<string, string | undefined> = {
    key: KEY,
    hostname: "nd-child",
    registry_hostname: "nd-child",
    machine_guid: CHILD_GUID,
    update_every: "1",
    os: "linux",
    timezone: "Etc/UTC",
    abbrev_timezone: "UTC",
    utc_offset: "0",
    hops: "1",
    ml_capable: "0",
    ml_enabled: "0",
    mc_version: "1",
    tags: "",
    ver: "15352",
    NETDATA_PROTOCOL_VERSION: "1.1",
    ...params,
  };
  const query = Object.entries(base).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join("&");
  return `STREAM ${query} HTTP/1.1\r\nUser-Agent: netdata/v1.37.1\r\nAccept: */*\r\n\r\n`;
}

/** A raw child connection. */
export interface RawChild {
  readonly socket: Socket;
  /** Everything received so far, as text. */
  received(): string;
  /** Resolves when the parent closed the connection. */
  readonly closed: Promise<void>;
  write(text: string): void;
}

/** Connects, sends `head` in one write, and collects what comes back. */
export async function rawChild(port: number, head: string): Promise<RawChild> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("end", () => socket.end());
  socket.write(head);
  return {
    socket,
    received: () => Buffer.concat(chunks).toString("utf8"),
    closed,
    write: (text) => socket.write(text),
  };
}
