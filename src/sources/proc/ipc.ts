/**
 * System V IPC (Netdata 1.37's module `ipc`): system.ipc_semaphores and system.ipc_semaphore_arrays,
 * system.message_queue_messages and system.message_queue_bytes (one dimension per queue id, only while
 * there are queues), system.shared_memory_segments and system.shared_memory_bytes; the host variables
 * `ipc_semaphores_max` (SEMMNS) and `ipc_semaphores_arrays_max` (SEMMNI) from /proc/sys/kernel/sem, read
 * again every 60 seconds.
 *
 * 1.37 asks the kernel for the semaphore totals with semctl(SEM_INFO), which JavaScript cannot call; the
 * same two numbers (arrays in use, semaphores in them) are counted from /proc/sysvipc/sem, which lists the
 * same IPC namespace's arrays. Like 1.37, more than 50 message queue dimensions switch the queue charts off
 * for good, and a queue that goes away leaves its dimensions obsolete.
 *
 * @module
 */

import type { Chart, Dimension } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart, type ProcChartSpec } from "./_chart.ts";
import { LineScanner } from "./_lines.ts";

const MODULE = "ipc";
const LIMITS_EVERY_S = 60;
/** 1.37's "max dimensions in memory allowed" for the message queue charts. */
const MAX_QUEUE_DIMENSIONS = 50;

// Words a line of each /proc/sysvipc file must have (1.37's checks), and the columns read.
const SEM_WORDS = 10, SEM_NSEMS = 3;
const MSG_WORDS = 14, MSG_ID = 1, MSG_CBYTES = 3, MSG_QNUM = 4;
const SHM_WORDS = 16, SHM_SIZE = 3;

const spec = (
  id: string,
  family: string,
  title: string,
  units: string,
  priority: number,
  stacked: boolean,
): ProcChartSpec => ({
  id,
  title,
  units,
  family,
  context: id,
  chartType: stacked ? "stacked" : "area",
  priority,
});

const SEMAPHORES = spec("system.ipc_semaphores", "ipc semaphores", "IPC Semaphores", "semaphores", 1203, false);
const ARRAYS = spec("system.ipc_semaphore_arrays", "ipc semaphores", "IPC Semaphore Arrays", "arrays", 1204, false);
const MSQ_MESSAGES = spec(
  "system.message_queue_messages",
  "ipc message queues",
  "IPC Message Queue Number of Messages",
  "messages",
  1201,
  true,
);
const MSQ_BYTES = spec(
  "system.message_queue_bytes",
  "ipc message queues",
  "IPC Message Queue Used Bytes",
  "bytes",
  1202,
  true,
);
const SHM_SEGMENTS = spec(
  "system.shared_memory_segments",
  "ipc shared memory",
  "IPC Shared Memory Number of Segments",
  "segments",
  1205,
  true,
);
const SHM_BYTES = spec(
  "system.shared_memory_bytes",
  "ipc shared memory",
  "IPC Shared Memory Used Bytes",
  "bytes",
  1206,
  true,
);

/**
 * The System V IPC source.
 *
 * @example
 * ```ts
 * const source = ipcSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000); // system.ipc_semaphores, …, system.shared_memory_bytes
 * ```
 */
export function ipcSource(ctx: SourceContext): Source {
  const semFile = new ProcFile(rootPath(ctx.root, "/proc/sysvipc/sem"));
  const msgFile = new ProcFile(rootPath(ctx.root, "/proc/sysvipc/msg"));
  const shmFile = new ProcFile(rootPath(ctx.root, "/proc/sysvipc/shm"));
  const limitsFile = new ProcFile(rootPath(ctx.root, "/proc/sys/kernel/sem"));
  const scanner = new LineScanner(":");
  let limitsDueUs = 0;

  let semaphores: Chart | undefined, arrays: Chart | undefined;
  let shmSegments: Chart | undefined, shmBytes: Chart | undefined;
  let msqMessages: Chart | undefined, msqBytes: Chart | undefined;
  let msqDisabled = false;
  /** Queue ids (as the dimension ids) seen this iteration, and those still charted. */
  const seenQueues = new Set<string>();
  const liveQueues = new Set<string>();

  const make = (s: ProcChartSpec, dimId: string): Chart =>
    procChart(ctx.host, MODULE, ctx.updateEvery, s, [dim(dimId, "absolute")]);
  const obsolete = (...charts: (Chart | undefined)[]): void => {
    for (const c of charts) if (c !== undefined) ctx.host.obsolete(c);
  };

  const readLimits = (): void => {
    scanner.reset(limitsFile.read() ?? "");
    if (!scanner.next() || scanner.count < 4) return;
    const semmns = scanner.int(1), semmni = scanner.int(3);
    if (semmns === semmns) ctx.host.variable("ipc_semaphores_max", semmns);
    if (semmni === semmni) ctx.host.variable("ipc_semaphores_arrays_max", semmni);
  };

  /** Semaphore arrays and semaphores; false when the file cannot be read. */
  const collectSemaphores = (nowUs: number): boolean => {
    const text = semFile.read();
    if (text === undefined) {
      obsolete(semaphores, arrays);
      semaphores = arrays = undefined;
      return false;
    }
    let nArrays = 0, nSems = 0;
    scanner.reset(text);
    scanner.next(); // the header
    while (scanner.next()) {
      if (scanner.count < SEM_WORDS) continue;
      const n = scanner.uint(SEM_NSEMS);
      nArrays++;
      if (n === n) nSems += n;
    }
    semaphores ??= make(SEMAPHORES, "semaphores");
    arrays ??= make(ARRAYS, "arrays");
    semaphores.dimensions[0].set(nSems);
    ctx.host.collected(semaphores, nowUs);
    arrays.dimensions[0].set(nArrays);
    ctx.host.collected(arrays, nowUs);
    return true;
  };

  /** The queue's dimension: found without a new spec, defined (or brought back) when needed. */
  const queueDimension = (chart: Chart, id: string): Dimension => {
    const d = chart.find(id);
    return d !== undefined && !d.obsolete ? d : chart.dimension(dim(id, "absolute"));
  };

  /** One dimension per queue while there are queues; false when the file cannot be read. */
  const collectQueues = (nowUs: number): boolean => {
    if (msqDisabled) return true;
    const text = msgFile.read();
    if (text === undefined) {
      obsolete(msqMessages, msqBytes);
      msqMessages = msqBytes = undefined;
      liveQueues.clear();
      return false;
    }
    seenQueues.clear();
    scanner.reset(text);
    scanner.next();
    while (scanner.next()) {
      if (scanner.count < MSG_WORDS) continue;
      const id = scanner.word(MSG_ID);
      const messages = scanner.uint(MSG_QNUM), bytes = scanner.uint(MSG_CBYTES);
      msqMessages ??= procChart(ctx.host, MODULE, ctx.updateEvery, MSQ_MESSAGES);
      msqBytes ??= procChart(ctx.host, MODULE, ctx.updateEvery, MSQ_BYTES);
      seenQueues.add(id);
      queueDimension(msqMessages, id).set(messages === messages ? messages : 0);
      queueDimension(msqBytes, id).set(bytes === bytes ? bytes : 0);
    }
    if (msqMessages === undefined || msqBytes === undefined) return true;
    for (const id of liveQueues) {
      if (seenQueues.has(id)) continue;
      msqMessages.obsoleteDimension(id);
      msqBytes.obsoleteDimension(id);
    }
    liveQueues.clear();
    for (const id of seenQueues) liveQueues.add(id);
    ctx.host.collected(msqMessages, nowUs);
    ctx.host.collected(msqBytes, nowUs);
    if (msqMessages.dimensions.length > MAX_QUEUE_DIMENSIONS) {
      ctx.log.info(`ipc: more than ${MAX_QUEUE_DIMENSIONS} message queue dimensions, message queue charts disabled`);
      msqDisabled = true;
    }
    if (msqDisabled || liveQueues.size === 0) {
      obsolete(msqMessages, msqBytes);
      msqMessages = msqBytes = undefined;
    }
    return true;
  };

  /** Shared memory segments and their bytes; false when the file cannot be read. */
  const collectSharedMemory = (nowUs: number): boolean => {
    const text = shmFile.read();
    if (text === undefined) {
      obsolete(shmSegments, shmBytes);
      shmSegments = shmBytes = undefined;
      return false;
    }
    let segments = 0, bytes = 0;
    scanner.reset(text);
    scanner.next();
    while (scanner.next()) {
      if (scanner.count < SHM_WORDS) continue;
      const size = scanner.uint(SHM_SIZE);
      segments++;
      if (size === size) bytes += size;
    }
    shmSegments ??= make(SHM_SEGMENTS, "segments");
    shmBytes ??= make(SHM_BYTES, "bytes");
    shmSegments.dimensions[0].set(segments);
    ctx.host.collected(shmSegments, nowUs);
    shmBytes.dimensions[0].set(bytes);
    ctx.host.collected(shmBytes, nowUs);
    return true;
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      if (nowUs >= limitsDueUs) {
        limitsDueUs = nowUs + LIMITS_EVERY_S * 1e6;
        readLimits();
      }
      // Each file on its own: one missing does not stop the others.
      const sem = collectSemaphores(nowUs);
      const msg = collectQueues(nowUs);
      const shm = collectSharedMemory(nowUs);
      if (!sem || !msg || !shm) {
        const failed = [sem ? undefined : semFile, msg ? undefined : msgFile, shm ? undefined : shmFile];
        throw new Error(failed.filter((f) => f !== undefined).map((f) => `${f!.path}: ${f!.lastError}`).join("; "));
      }
    },
    close() {
      semFile.close();
      msgFile.close();
      shmFile.close();
      limitsFile.close();
    },
  };
}
