import { test } from "node:test";
import assert from "node:assert/strict";
import { interruptsSource } from "../../../src/sources/proc/interrupts.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

// The layout of the fixture child's VM (2 vCPUs, virtio devices), with its counts.
const INTERRUPTS = `           CPU0       CPU1       
 24:          1          0  IO-APIC   5-edge      ACPI:Ged
 25:          0          1  IO-APIC   6-edge      ACPI:Ged
 26:          0         14  IO-APIC   4-edge      ttyS0
 28:          0          0 PCI-MSIX-0000:00:01.0   0-edge      virtio0-config
 29:          0          0 PCI-MSIX-0000:00:01.0   1-edge      virtio0-inflate
 30:          0          0 PCI-MSIX-0000:00:01.0   2-edge      virtio0-deflate
 31:          0        154 PCI-MSIX-0000:00:01.0   3-edge      virtio0-stats
 32:        110          0 PCI-MSIX-0000:00:01.0   4-edge      virtio0-reporting_vq
 33:          0          0 PCI-MSIX-0000:00:05.0   0-edge      virtio4-config
 34:         25          0 PCI-MSIX-0000:00:05.0   1-edge      virtio4-input
 35:          0          1 PCI-MSIX-0000:00:02.0   0-edge      virtio1-config
 36:          0      74767 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
 37:          0          0 PCI-MSIX-0000:00:03.0   0-edge      virtio2-config
 38:          0       7326 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
 39:       3836          0 PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0
 40:          0          0 PCI-MSIX-0000:00:04.0   0-edge      virtio3-config
 41:      12894          0 PCI-MSIX-0000:00:04.0   1-edge      virtio3-rx
 42:          0      14991 PCI-MSIX-0000:00:04.0   2-edge      virtio3-tx
 43:          1          0 PCI-MSIX-0000:00:04.0   3-edge      virtio3-event
NMI:          0          0   Non-maskable interrupts
LOC:      48623      44949   Local timer interrupts
SPU:          0          0   Spurious interrupts
PMI:          0          0   Performance monitoring interrupts
IWI:          1          0   IRQ work interrupts
RTR:          0          0   APIC ICR read retries
RES:      14807      12323   Rescheduling interrupts
CAL:      60125      46219   Function call interrupts
TLB:       3534       3851   TLB shootdowns
TRM:          0          0   Thermal event interrupts
HYP:         39         73   Hypervisor callback interrupts
ERR:          0
MIS:          0
PIN:          0          0   Posted-interrupt notification event
NPI:          0          0   Nested posted-interrupt event
PIW:          0          0   Posted-interrupt wakeup event
`;

test("interrupts: charts are defined exactly as the 1.37 fixture defines them, with the fixture's values", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/interrupts", INTERRUPTS);
    const source = interruptsSource(m.context);
    source.collect(T0 * 1e6);
    for (const id of ["system.interrupts", "cpu.cpu0_interrupts", "cpu.cpu1_interrupts"]) assertLikeFixture(m.host, id);
    assert.deepEqual(m.last("system.interrupts"), {
      24: 1,
      25: 1,
      26: 14,
      31: 154,
      32: 110,
      34: 25,
      35: 1,
      36: 74767,
      38: 7326,
      39: 3836,
      41: 12894,
      42: 14991,
      43: 1,
      LOC: 93572,
      IWI: 1,
      RES: 27130,
      CAL: 106344,
      TLB: 7385,
      HYP: 112,
    });
    assert.deepEqual(m.last("cpu.cpu1_interrupts"), {
      25: 1,
      26: 14,
      31: 154,
      35: 1,
      36: 74767,
      38: 7326,
      42: 14991,
      LOC: 44949,
      RES: 12323,
      CAL: 46219,
      TLB: 3851,
      HYP: 73,
    });
    source.close();
  } finally {
    m.dispose();
  }
});

test("interrupts: an interrupt that fires for the first time becomes a dimension, named after its device", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/interrupts", INTERRUPTS);
    const source = interruptsSource(m.context);
    source.collect(T0 * 1e6);
    assert.equal(m.host.charts.get("system.interrupts")!.find("29"), undefined);
    m.write("/proc/interrupts", INTERRUPTS.replace(" 29:          0          0", " 29:          0          5"));
    source.collect((T0 + 1) * 1e6);
    const d = m.host.charts.get("system.interrupts")!.find("29")!;
    assert.equal(d.name, "virtio0-inflate_29");
    assert.equal(m.host.charts.get("cpu.cpu1_interrupts")!.find("29")!.name, "virtio0-inflate_29");
    assert.equal(m.host.charts.get("cpu.cpu0_interrupts")!.find("29"), undefined);
    assert.equal(m.last("system.interrupts")?.[29], 5);
    source.close();
  } finally {
    m.dispose();
  }
});

test("interrupts: names as 1.37 builds them", () => {
  const cases = [
    { line: " 24:          1          0  IO-APIC   5-edge      ACPI:Ged", id: "24", name: "Ged_24" },
    { line: "LOC:      48623      44949   Local timer interrupts", id: "LOC", name: "LOC" },
    { line: "  7:          3          0  edge", id: "7", name: "7" },
    { line: `120:          3          0  PCI-MSI 1-edge  ${"x".repeat(60)}`, id: "120", name: `${"x".repeat(46)}_120` },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      m.write("/proc/interrupts", `           CPU0       CPU1\n${c.line}\n`);
      const source = interruptsSource(m.context);
      source.collect(T0 * 1e6);
      assert.equal(m.host.charts.get("system.interrupts")!.find(c.id)?.name, c.name, c.line);
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("interrupts: a CPU going away obsoletes its chart and throws; a garbled file obsoletes all", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/interrupts", INTERRUPTS);
    const source = interruptsSource(m.context);
    source.collect(T0 * 1e6);
    m.write("/proc/interrupts", "   CPU0\n LOC:  48700  Local timer interrupts\n");
    assert.throws(() => source.collect((T0 + 1) * 1e6), /\/proc\/interrupts lost CPU columns; cpu\.cpu1_interrupts/);
    assert.deepEqual(m.obsoleted, ["cpu.cpu1_interrupts"]);
    assert.deepEqual(m.last("cpu.cpu0_interrupts"), { LOC: 48700 });
    m.write("/proc/interrupts", "garbage\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/interrupts/);
    assert.deepEqual(m.obsoleted.sort(), ["cpu.cpu0_interrupts", "cpu.cpu1_interrupts", "system.interrupts"]);
    m.write("/proc/interrupts", INTERRUPTS);
    source.collect((T0 + 3) * 1e6);
    for (const id of ["system.interrupts", "cpu.cpu0_interrupts", "cpu.cpu1_interrupts"]) {
      assert.equal(m.host.charts.get(id)!.obsolete, false, id);
    }
    source.close();
  } finally {
    m.dispose();
  }
});
