import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import type { FakeMachine } from "../../helpers/fake-machine.js";
import { freePort } from "../../helpers/net.js";
import { cleanup } from "../helpers.js";
import {
  callText,
  closeClients,
  erasFromRegistry,
  ownGatewayAfterSync,
  until,
  v1Client,
  v2Client,
} from "./gateway-helpers.js";

const machines: FakeMachine[] = [];
afterEach(async () => {
  await closeClients();
  await cleanup();
  for (const m of machines.splice(0)) m.cleanup();
});

test("installed by sync from a registry, each fixture is shared from its installed package, in its own era", async () => {
  const { m, registry, v1, v2 } = await erasFromRegistry(
    { share: "machine" },
    { bridge: { port: await freePort() } },
  );
  machines.push(m);
  try {
    const synced = await m.run(["sync", "--yes"], { timeoutMs: 120_000 });
    expect(synced.code, synced.stderr).toBe(0);
    // Sync started the gateway for the shared servers (on the manifest's port): this test runs its own.
    const { info, token, end } = await ownGatewayAfterSync(m);
    try {
      for (const [name, fixture, tag] of [
        ["old", v1, "v1"],
        ["new", v2, "v2"],
      ] as const) {
        const url = info.url.replace(/\/mcp$/, `/share/${name}`);
        const clients = [
          await v2Client(url, token, "legacy"),
          await v2Client(url, token, { pin: "2026-07-28" }),
          await v1Client(url, token),
        ];
        for (const c of clients) expect(await callText(c, "echo", { text: "i" }), name).toBe(`${tag}:i`);
        const { pid } = JSON.parse(await callText(clients[0]!, "whoami")) as { pid: number };
        // The process is the package sync installed into the machine's prefix.
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        expect(
          cmdline.some((a) => a.startsWith(m.paths.linuxPrefix) && a.includes(fixture.name)),
          cmdline.join(" "),
        ).toBe(true);
      }
      const status = await until("both cached", async () => {
        const s = (await (
          await fetch(info.url.replace(/\/mcp$/, "/control/status"), {
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { shares: Array<{ name: string; cached: boolean; children: Array<{ era: string }> }> };
        return s.shares.every((x) => x.cached) ? s : undefined;
      });
      expect(Object.fromEntries(status.shares.map((s) => [s.name, s.children[0]?.era]))).toEqual({
        old: "2025-11-25",
        new: "2026-07-28",
      });
    } finally {
      await end();
    }
  } finally {
    await registry.close();
  }
}, 180_000);
