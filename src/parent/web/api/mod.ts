/**
 * The parent's HTTP API: routes `/api/v1/<command>` for the parent itself and
 * `/host/<hostname or machine GUID>/api/v1/<command>` for any host it holds, and turns every failure into a
 * plain-text reply with Netdata's words.
 *
 * @module
 */

import type { NetdataConf } from "../../../config/netdata_conf.ts";
import type { HostCatalogue, HostLookup, ParentHost } from "../../storage/catalogue.ts";
import { HttpError, type HttpResponse, textResponse } from "../http.ts";
import { AllMetrics } from "./allmetrics.ts";
import { RequestBudget } from "./budget.ts";
import { chartReply, chartsReply } from "./charts.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { dataReply } from "./data.ts";
import { infoReply } from "./info.ts";

/**
 * What the API needs.
 *
 * @example
 * ```ts
 * const options: WebApiOptions = { catalogue, conf: parseNetdataConf("") };
 * ```
 */
export interface WebApiOptions {
  readonly catalogue: HostCatalogue;
  readonly conf: NetdataConf;
  /** The wall clock, epoch ms; `Date.now` by default (tests pin it). */
  readonly nowMs?: () => number;
  /**
   * The work one request may do, ms (waiting for its turns of the event loop not counted); a request that
   * needs more is abandoned with a 503. {@link DEFAULT_REQUEST_BUDGET_MS} by default.
   */
  readonly requestBudgetMs?: number;
  /** A monotonic clock, ms, to measure that work; `performance.now` by default (tests step it). */
  readonly clockMs?: () => number;
}

/**
 * The work one API request may do by default, ms.
 *
 * @example
 * ```ts
 * new WebApi({ catalogue, conf, requestBudgetMs: DEFAULT_REQUEST_BUDGET_MS * 2 });
 * ```
 */
export const DEFAULT_REQUEST_BUDGET_MS = 10_000;

/** At most this many GUIDs are listed in the reply to an ambiguous hostname; /api/v1/info lists them all. */
const AMBIGUOUS_GUIDS_SHOWN = 10;

/**
 * The 409 text for a hostname that several hosts share: how many, whether streaming now, and the
 * `/host/<machine GUID>/` URLs that name each of them.
 *
 * @example
 * ```ts
 * ambiguousHostMessage({ kind: "ambiguous", hostname: "edge-1", connected: true, guids: ["82be…", "9f1c…"] });
 * // "Host name 'edge-1' is used by 2 connected hosts; ask for one of them by machine GUID: /host/82be…/, /host/9f1c…/"
 * ```
 */
function ambiguousHostMessage(lookup: Extract<HostLookup, { kind: "ambiguous" }>): string {
  const { hostname, connected, guids } = lookup;
  const shown = guids.slice(0, AMBIGUOUS_GUIDS_SHOWN).map((guid) => `/host/${guid}/`).join(", ");
  const more = guids.length > AMBIGUOUS_GUIDS_SHOWN
    ? ` and ${guids.length - AMBIGUOUS_GUIDS_SHOWN} more (see mirrored_hosts_status in /api/v1/info)`
    : "";
  return `Host name '${hostname}' is used by ${guids.length} ${
    connected ? "connected" : "disconnected"
  } hosts; ask for one of them by machine GUID: ${shown}${more}`;
}

function jsonReply(body: string): HttpResponse {
  return { status: 200, contentType: "application/json; charset=utf-8", body };
}

/**
 * Answers `GET` requests. A large answer is produced in slices with turns of the event loop in between
 * (ingestion runs meanwhile), within a work budget per request.
 *
 * @example
 * ```ts
 * const api = new WebApi({ catalogue, conf });
 * (await api.handle("/host/edge-1/api/v1/data?chart=system.load&after=-5", "localhost")).body;
 * ```
 */
export class WebApi {
  readonly #ctx: ApiContext;
  readonly #allmetrics = new AllMetrics();
  readonly #budgetMs: number;
  readonly #clockMs: (() => number) | undefined;

  constructor(options: WebApiOptions) {
    this.#ctx = { catalogue: options.catalogue, conf: options.conf, nowMs: options.nowMs ?? Date.now };
    this.#budgetMs = options.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
    this.#clockMs = options.clockMs;
  }

  /** The reply to `GET <target>` from `remoteIp`; never rejects. */
  async handle(target: string, remoteIp: string): Promise<HttpResponse> {
    try {
      return await this.#route(target, remoteIp);
    } catch (e) {
      if (e instanceof HttpError) return textResponse(e.status, e.message);
      return textResponse(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The host `/host/<name>/` names; 404 for none, 409 listing the GUIDs when several hosts share the name. */
  #host(name: string): ParentHost {
    const lookup = this.#ctx.catalogue.find(name);
    switch (lookup.kind) {
      case "found":
        return lookup.entry;
      case "ambiguous":
        throw new HttpError(409, ambiguousHostMessage(lookup));
      case "none":
        throw new HttpError(404, `This netdata does not maintain a database for host: ${name}`);
    }
  }

  async #route(target: string, remoteIp: string): Promise<HttpResponse> {
    const q = target.indexOf("?");
    const rawPath = q < 0 ? target : target.slice(0, q);
    let segments: string[];
    try {
      segments = rawPath.split("/").filter((s) => s.length > 0).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, `Bad URL encoding in '${rawPath.slice(0, 200)}'`);
    }
    let entry = this.#ctx.catalogue.localhost;
    if (segments[0] === "host" && segments.length >= 2) {
      entry = this.#host(segments[1]);
      segments = segments.slice(2);
    }
    if (segments.length !== 3 || segments[0] !== "api" || segments[1] !== "v1") {
      throw new HttpError(404, `File does not exist, or is not accessible: ${rawPath.slice(0, 200)}`);
    }
    const req: ApiRequest = {
      entry,
      params: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)),
      remoteIp,
      budget: new RequestBudget(this.#budgetMs, this.#clockMs),
    };
    switch (segments[2]) {
      case "info":
        return jsonReply(JSON.stringify(await infoReply(this.#ctx, req), null, "\t"));
      case "charts":
        return jsonReply(await chartsReply(this.#ctx, req));
      case "chart":
        return jsonReply(JSON.stringify(chartReply(req), null, "\t"));
      case "data":
        return dataReply(this.#ctx, req);
      case "allmetrics":
        return this.#allmetrics.reply(this.#ctx, req);
      default:
        throw new HttpError(404, `Unsupported v1 API command: ${segments[2]}`);
    }
  }
}
