import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { sharedNodeFlags } from "../../../src/core/entries/shared-node-flags.js";
import { type FakeMachine, writeManifest } from "../../helpers/fake-machine.js";
import { freePort } from "../../helpers/net.js";
import { cleanup } from "../helpers.js";
import {
  callText,
  closeClients,
  erasFromRegistry,
  ownGatewayAfterSync,
  v2Client,
} from "./gateway-helpers.js";

/**
 * The flags chosen from bench/child-flags.ts's figures (docs/dev/performance.md) for this node;
 * which node gets which is test/entries/shared-node-flags.test.ts's.
 */
const FLAGS = sharedNodeFlags(process.version);

const machines: FakeMachine[] = [];
afterEach(async () => {
  await closeClients();
  await cleanup();
  for (const m of machines.splice(0)) m.cleanup();
});

test("an installed package's shared process runs with V8's memory flags; a command server's as written", async () => {
  const rest = { bridge: { port: await freePort() } };
  const { m, registry, v1, v2 } = await erasFromRegistry({ share: "machine" }, rest);
  machines.push(m);
  try {
    // Beside the two packages: node named as the command, and sh that execs node.
    writeManifest(m, {
      servers: {
        old: { package: `${v1.name}@${v1.version}`, share: "machine" },
        new: { package: `${v2.name}@${v2.version}`, share: "machine" },
        "raw-node": { command: process.execPath, args: [v1.script], share: "machine" },
        "via-sh": {
          command: "/bin/sh",
          args: ["-c", 'exec "$0" "$1"', process.execPath, v2.script],
          share: "machine",
        },
      },
      ...rest,
    });
    const synced = await m.run(["sync", "--yes"], { timeoutMs: 120_000 });
    expect(synced.code, synced.stderr).toBe(0);
    // Sync started the gateway for the shared servers (on the manifest's port): this test runs its own.
    const { info, token, end } = await ownGatewayAfterSync(m);
    try {
      const processOf = async (name: string, tag: string) => {
        const client = await v2Client(info.url.replace(/\/mcp$/, `/share/${name}`), token, "legacy");
        // A real handshake and call through the gateway, whatever the flags.
        expect(await callText(client, "echo", { text: "i" }), name).toBe(`${tag}:i`);
        const { pid, execArgv } = JSON.parse(await callText(client, "whoami")) as {
          pid: number;
          execArgv: string[];
        };
        return { execArgv, cmdline: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1) };
      };

      expect(FLAGS.slice(0, 3)).toEqual(["--max-semi-space-size=1", "--no-sparkplug", "--no-turbofan"]);
      for (const [name, fixture, tag] of [
        ["old", v1, "v1"],
        ["new", v2, "v2"],
      ] as const) {
        const { execArgv, cmdline } = await processOf(name, tag);
        expect(execArgv, name).toEqual(FLAGS);
        // `<node> <flags> <the installed script>`: the flags go to node, not to the server.
        expect(cmdline.slice(1, 1 + FLAGS.length), cmdline.join(" ")).toEqual(FLAGS);
        const script = cmdline[1 + FLAGS.length] ?? "";
        expect(script.startsWith(m.paths.linuxPrefix) && script.includes(fixture.name), script).toBe(true);
        expect(cmdline).toHaveLength(2 + FLAGS.length);
      }
      const raw = await processOf("raw-node", "v1");
      expect(raw.execArgv).toEqual([]);
      expect(raw.cmdline).toEqual([process.execPath, v1.script]);
      const viaSh = await processOf("via-sh", "v2");
      expect(viaSh.execArgv).toEqual([]);
      expect(viaSh.cmdline).toEqual([process.execPath, v2.script]);
    } finally {
      await end();
    }
  } finally {
    await registry.close();
  }
}, 180_000);
