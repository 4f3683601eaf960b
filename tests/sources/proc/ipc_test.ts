import { test } from "node:test";
import assert from "node:assert/strict";
import { ipcSource } from "../../../src/sources/proc/ipc.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture, ourDefinition } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

// Headers and lines in the shape of this machine's /proc/sysvipc files.
const SEM_HEAD = "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n";
const MSG_HEAD =
  "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n";
const SHM_HEAD =
  "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n";
const sem = (id: number, nsems: number) =>
  `  ${1000 + id}          ${id}   644          ${nsems}     0     0     0     0          0 1795462600\n`;
const msg = (id: number, bytes: number, qnum: number) =>
  `  ${
    2000 + id
  }          ${id}   644           ${bytes}          ${qnum}     0     0     0     0     0     0          0          0 1795462600\n`;
const shm = (id: number, size: number) =>
  `  ${
    3000 + id
  }          ${id}   644                  ${size}   100     0      0     0     0     0     0          0          0 1795462600                     0                     0\n`;

/** What a real 1.37.1 child defined on this machine for a message queue with id 0 (not in the fixture). */
const REAL_MSQ = [
  `CHART "system.message_queue_messages" "" "IPC Message Queue Number of Messages" "messages" "ipc message queues" "system.message_queue_messages" "stacked" 1201 1 "   " "proc.plugin" "ipc"`,
  `CHART "system.message_queue_bytes" "" "IPC Message Queue Used Bytes" "bytes" "ipc message queues" "system.message_queue_bytes" "stacked" 1202 1 "   " "proc.plugin" "ipc"`,
];

test("ipc: fixture definitions, host variables, values over two iterations", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/sys/kernel/sem", "32000\t1024000000\t500\t32000\n");
    m.write("/proc/sysvipc/sem", SEM_HEAD);
    m.write("/proc/sysvipc/msg", MSG_HEAD);
    m.write("/proc/sysvipc/shm", SHM_HEAD);
    const source = ipcSource(m.context);
    source.collect(T0 * 1e6);
    const ids = [
      "system.ipc_semaphores",
      "system.ipc_semaphore_arrays",
      "system.shared_memory_segments",
      "system.shared_memory_bytes",
    ];
    assert.deepEqual([...m.host.charts.keys()], ids, "no message queue charts without queues");
    for (const id of ids) assertLikeFixture(m.host, id);
    assert.equal(m.host.variables.get("ipc_semaphores_max"), 1024000000);
    assert.equal(m.host.variables.get("ipc_semaphores_arrays_max"), 32000);
    assert.deepEqual(m.last("system.ipc_semaphores"), { semaphores: 0 });
    assert.deepEqual(m.last("system.shared_memory_bytes"), { bytes: 0 });

    m.write("/proc/sysvipc/sem", SEM_HEAD + sem(0, 3) + sem(1, 2));
    m.write("/proc/sysvipc/msg", MSG_HEAD + msg(0, 0, 0) + msg(1, 64, 2));
    m.write("/proc/sysvipc/shm", SHM_HEAD + shm(0, 8192) + shm(1, 4096));
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("system.ipc_semaphores"), { semaphores: 5 });
    assert.deepEqual(m.last("system.ipc_semaphore_arrays"), { arrays: 2 });
    assert.deepEqual(m.last("system.shared_memory_segments"), { segments: 2 });
    assert.deepEqual(m.last("system.shared_memory_bytes"), { bytes: 12288 });
    assert.deepEqual(m.last("system.message_queue_messages"), { "0": 0, "1": 2 });
    assert.deepEqual(m.last("system.message_queue_bytes"), { "0": 0, "1": 64 });
    const messages = m.host.charts.get("system.message_queue_messages")!;
    assert.equal(ourDefinition(messages)[0], REAL_MSQ[0]);
    assert.equal(ourDefinition(m.host.charts.get("system.message_queue_bytes")!)[0], REAL_MSQ[1]);
    assert.equal(
      ourDefinition(messages).find((l) => l.startsWith('DIMENSION "0"')),
      `DIMENSION "0" "0" "absolute" 1 1 "  "`,
    );

    // A queue goes: its dimensions are obsolete; the last goes: the charts are.
    m.write("/proc/sysvipc/msg", MSG_HEAD + msg(1, 32, 1));
    source.collect((T0 + 2) * 1e6);
    assert.equal(messages.find("0")!.obsolete, true);
    assert.deepEqual(m.last("system.message_queue_messages"), { "1": 1 });
    m.write("/proc/sysvipc/msg", MSG_HEAD);
    source.collect((T0 + 3) * 1e6);
    assert.ok(m.obsoleted.includes("system.message_queue_messages"));
    assert.ok(m.obsoleted.includes("system.message_queue_bytes"));
    m.write("/proc/sysvipc/msg", MSG_HEAD + msg(0, 8, 1));
    source.collect((T0 + 4) * 1e6);
    assert.equal(messages.obsolete, false);
    assert.equal(messages.find("0")!.obsolete, false);

    // The limits are read again after a minute.
    m.write("/proc/sys/kernel/sem", "250\t32000\t32\t128\n");
    source.collect((T0 + 5) * 1e6);
    assert.equal(m.host.variables.get("ipc_semaphores_max"), 1024000000);
    source.collect((T0 + 60) * 1e6);
    assert.equal(m.host.variables.get("ipc_semaphores_max"), 32000);
    assert.equal(m.host.variables.get("ipc_semaphores_arrays_max"), 128);
    source.close();

    // One missing file: no charts from it, the others carry on, the error names it.
    m.remove("/proc/sysvipc/shm");
    const partial = ipcSource(m.context);
    m.collected.length = 0;
    assert.throws(() => partial.collect((T0 + 61) * 1e6), /proc\/sysvipc\/shm/);
    assert.ok(m.collected.some((c) => c.chart === "system.ipc_semaphores"));
    assert.ok(!m.collected.some((c) => c.chart === "system.shared_memory_segments"));
    partial.close();
  } finally {
    m.dispose();
  }
});

test("ipc: more than 50 queues switch the queue charts off for good", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/sysvipc/sem", SEM_HEAD);
    m.write("/proc/sysvipc/shm", SHM_HEAD);
    m.write("/proc/sysvipc/msg", MSG_HEAD + Array.from({ length: 51 }, (_, i) => msg(i, 0, 0)).join(""));
    const source = ipcSource(m.context);
    source.collect(T0 * 1e6);
    assert.ok(m.obsoleted.includes("system.message_queue_messages"));
    m.write("/proc/sysvipc/msg", MSG_HEAD + msg(0, 0, 0));
    source.collect((T0 + 1) * 1e6);
    assert.equal(m.host.charts.get("system.message_queue_messages")!.obsolete, true);
    source.close();
  } finally {
    m.dispose();
  }
});

test("ipc: the real /proc for two iterations", () => {
  const m = fakeMachine();
  const source = ipcSource({ ...m.context, root: "/" });
  try {
    source.collect(T0 * 1e6);
    source.collect((T0 + 1) * 1e6);
    assert.ok(m.host.charts.has("system.ipc_semaphores"));
    assert.ok(m.host.variables.has("ipc_semaphores_max"));
  } finally {
    source.close();
    m.dispose();
  }
});
