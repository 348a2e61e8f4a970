/**
 * test/helpers/net.ts's freePort, which test files running in parallel rely on: a port the kernel
 * never hands out itself (not from its ephemeral range, where every outgoing connection takes its
 * local port), never the same one twice in a process, free when handed out.
 */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { expect, test } from "vitest";
import { freePort } from "./net.js";

test("freePort: below the ephemeral range, distinct, and bindable", async () => {
  const range = "/proc/sys/net/ipv4/ip_local_port_range";
  // Linux says where its range starts; elsewhere it is the IANA one.
  const start = existsSync(range) ? Number(readFileSync(range, "utf8").trim().split(/\s+/)[0]) : 49_152;
  const ports: number[] = [];
  for (let i = 0; i < 50; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(50);
  for (const port of ports) expect(port).toBeLessThan(start);
  // fetch() refuses the Fetch standard's bad ports before connecting (10080 is the one up here).
  expect(ports).not.toContain(10_080);
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(ports[0], "127.0.0.1", resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
