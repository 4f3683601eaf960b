import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Destination,
  DestinationError,
  parseDestination,
  parseDestinations,
} from "../../src/protocol/destination.ts";

const ok: [entry: string, expected: Omit<Destination, "text">][] = [
  ["10.11.12.13", { protocol: "tcp", host: "10.11.12.13", port: 19999, ssl: false }],
  ["10.11.12.13:19999", { protocol: "tcp", host: "10.11.12.13", port: 19999, ssl: false }],
  ["tcp:203.0.113.0:20000:SSL", { protocol: "tcp", host: "203.0.113.0", port: 20000, ssl: true }],
  ["host:port".replace("port", "443") + ":SSL", { protocol: "tcp", host: "host", port: 443, ssl: true }],
  ["tcp:grand-parent", { protocol: "tcp", host: "grand-parent", port: 19999, ssl: false }],
  ["tcp:parent", { protocol: "tcp", host: "parent", port: 19999, ssl: false }],
  ["parent.example.com:SSL", { protocol: "tcp", host: "parent.example.com", port: 19999, ssl: true }],
  ["udp:10.0.0.1:8125", { protocol: "udp", host: "10.0.0.1", port: 8125, ssl: false }],
  ["unix:/run/netdata/netdata.sock", { protocol: "unix", host: "/run/netdata/netdata.sock", port: 0, ssl: false }],
  ["[::1]", { protocol: "tcp", host: "::1", port: 19999, ssl: false }],
  ["[::1]:20000", { protocol: "tcp", host: "::1", port: 20000, ssl: false }],
  ["tcp:[2001:db8::5]:20000:SSL", { protocol: "tcp", host: "2001:db8::5", port: 20000, ssl: true }],
  ["[fe80::1]%eth0:19999", { protocol: "tcp", host: "fe80::1", interface: "eth0", port: 19999, ssl: false }],
  ["[fe80::1%eth0]:19999", { protocol: "tcp", host: "fe80::1", interface: "eth0", port: 19999, ssl: false }],
  ["fe80host%eth1", { protocol: "tcp", host: "fe80host", interface: "eth1", port: 19999, ssl: false }],
];

for (const [entry, expected] of ok) {
  test(`destination '${entry}'`, () => {
    assert.deepEqual(parseDestination(entry, 19999), { ...expected, text: entry });
  });
}

const bad: [entry: string, says: RegExp][] = [
  [":::", /a host name or IP address, found nothing/],
  [":19999", /a host name or IP address/],
  ["host:0", /port number from 1 to 65535.*found '0'/],
  ["host:65536", /found '65536'/],
  ["host:http", /found 'http'/],
  ["host:1:2", /found '1:2'/],
  ["[::1", /'\]' to close the IPv6 address/],
  ["[::1]x", /':' before the port, found 'x'/],
  ["host%:1", /an interface name after '%'/],
  ["unix:relative.sock", /absolute socket path/],
];

for (const [entry, says] of bad) {
  test(`destination '${entry}' is refused with a clear message`, () => {
    assert.throws(() => parseDestination(entry, 19999), (e: unknown) => {
      assert.ok(e instanceof DestinationError);
      assert.equal(e.entry, entry);
      assert.match(e.message, new RegExp(`invalid destination '${entry.replace(/[[\]]/g, "\\$&")}'`));
      assert.match(e.message, says);
      return true;
    });
  });
}

test("destination lists keep their order and split on any whitespace", () => {
  const list = parseDestinations("  10.11.12.1\ttcp:parent2:20000   [::1]:SSL\n", 19999);
  assert.deepEqual(list.map((d) => `${d.host}:${d.port}:${d.ssl}`), [
    "10.11.12.1:19999:false",
    "parent2:20000:false",
    "::1:19999:true",
  ]);
  assert.deepEqual(parseDestinations("", 19999), []);
  assert.throws(() => parseDestinations("good:1 :::", 19999), DestinationError);
});

test("destination uses the configured default port", () => {
  assert.equal(parseDestination("p", 20001).port, 20001);
});
