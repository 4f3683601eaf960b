/**
 * A parent as a proxy: every child's host whose settings say `proxy enabled` is streamed onward by a sender
 * of its own, the collector's {@link StreamSender}, from the moment the child's stream starts until it ends
 * (1.37 stops a forwarded host's sender when its receiver leaves, so the next parent sees the child leave).
 *
 * @module
 */

import type { StreamSenderConfig } from "../config/stream_conf.ts";
import type { ReceiverPolicy } from "../parent/receiver/admission.ts";
import type { ChildStreamObserver } from "../parent/receiver/child_streams.ts";
import type { ParentHost } from "../parent/storage/catalogue.ts";
import type { Logger } from "../runtime/log.ts";
import type { ReplaySource } from "../stream/replay_source.ts";
import { StreamSender } from "../stream/sender.ts";
import type { Host } from "../metrics/host.ts";

/**
 * What {@link ProxySenders} needs.
 *
 * @example
 * ```ts
 * const options: ProxyOptions = { outward: cfg.stream.stream, log, replayOf: (entry) => new StoredReplay(stores.get(entry.host)!) };
 * ```
 */
export interface ProxyOptions {
  /** `[stream]`: what a forwarded host's sender takes from it besides the per-child proxy settings (TLS, buffer, timeouts). */
  readonly outward: StreamSenderConfig;
  readonly log: Logger;
  /** What answers the next parent's `REPLAY_CHART`s for a host: its storage. */
  readonly replayOf: (entry: ParentHost) => ReplaySource;
}

/**
 * The receiver's {@link ChildStreamObserver} of a proxy: one sender per forwarded child.
 *
 * @example
 * ```ts
 * const proxy = new ProxySenders({ outward: cfg.stream.stream, log, replayOf });
 * const receiver = new Receiver({ ...options, childStreams: proxy });
 * // … on shutdown, after the receiver closed:
 * await proxy.close();
 * ```
 */
export class ProxySenders implements ChildStreamObserver {
  readonly #options: ProxyOptions;
  readonly #senders = new Map<Host, StreamSender>();
  /** Senders still closing their connection. */
  readonly #stopping = new Set<Promise<void>>();

  constructor(options: ProxyOptions) {
    this.#options = options;
  }

  /** The senders forwarding hosts now. */
  senders(): StreamSender[] {
    return [...this.#senders.values()];
  }

  started(entry: ParentHost, policy: ReceiverPolicy): void {
    // A child that replaced a dead connection of its own: its host goes on with the new settings.
    this.#stop(entry.host);
    const proxy = policy.proxy;
    if (!proxy.enabled) return;
    const { hostname } = entry.host.identity;
    const sender = new StreamSender({
      host: entry.host,
      config: {
        ...this.#options.outward,
        enabled: true,
        destination: proxy.destination,
        destinationText: proxy.destinationText,
        apiKey: proxy.apiKey,
        sendChartsMatching: proxy.sendChartsMatching,
      },
      log: this.#options.log.child(`STREAM_SENDER[${hostname}]`),
      replay: this.#options.replayOf(entry),
      hops: entry.status.hops + 1,
    });
    this.#senders.set(entry.host, sender);
    sender.start();
  }

  ended(entry: ParentHost): void {
    this.#stop(entry.host);
  }

  /** Stops every sender and waits until their connections are closed. */
  async close(): Promise<void> {
    for (const host of [...this.#senders.keys()]) this.#stop(host);
    await Promise.all(this.#stopping);
  }

  /** Stops a host's sender at once, as 1.37 cancels the sender thread: what is still queued is dropped. */
  #stop(host: Host): void {
    const sender = this.#senders.get(host);
    if (sender === undefined) return;
    this.#senders.delete(host);
    const stopping: Promise<void> = sender.stop(0).finally(() => this.#stopping.delete(stopping));
    this.#stopping.add(stopping);
  }
}
