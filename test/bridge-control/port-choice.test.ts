/**
 * The gateway's port as a value: the choice (port-choice.ts) from the settings and what holds a
 * port, with real listeners where it looks for a free one; what holds a port here, named from a real
 * listener; and the home's record of it (port-record.ts) — written, read, and a file no one could
 * take for a record read as none.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { localLifecycle } from "../../src/core/bridge-control/lifecycle.js";
import { choosePort, localHolder } from "../../src/core/bridge-control/port-choice.js";
import { readRecordedPort, recordPort } from "../../src/core/bridge-control/port-record.js";
import { hostFrom } from "../../src/core/system/host.js";
import { bridgeEnv } from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";

const servers: net.Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function listen(port: number): Promise<void> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  servers.push(server);
}

const host = "127.0.0.1";
const heldAt =
  (held: Record<number, string>) =>
  async (port: number): Promise<string | undefined> =>
    held[port];

describe("choosePort", () => {
  test("nothing recorded yet, and nothing on the first port: that one, to record", async () => {
    const port = await freePort();
    expect(await choosePort({ host, port, pinned: false }, heldAt({}))).toEqual({ port, record: true });
  });

  test("the recorded port, free or this home's bridge's: kept, nothing to record", async () => {
    const port = await freePort();
    expect(await choosePort({ host, port, pinned: false, recorded: port }, heldAt({}))).toEqual({
      port,
      record: false,
    });
  });

  test("another program on it: the first port above it that nothing listens on, to record, and what held it", async () => {
    const port = await freePort();
    await listen(port);
    // The next one is taken too (a listener nothing proved to be anything): skipped.
    await listen(port + 1).catch(() => undefined);
    const choice = await choosePort(
      { host, port, pinned: false, recorded: port },
      heldAt({ [port]: "a web server" }),
    );
    expect(choice.port).toBeGreaterThan(port + 1);
    expect(choice).toMatchObject({ record: true, moved: { from: port, what: "a web server" } });
  });

  test("pinned: kept whatever holds it, never recorded", async () => {
    const port = await freePort();
    expect(await choosePort({ host, port, pinned: true }, heldAt({ [port]: "a web server" }))).toEqual({
      port,
      record: false,
      taken: { what: "a web server" },
    });
    expect(await choosePort({ host, port, pinned: true, recorded: 7761 }, heldAt({}))).toEqual({
      port,
      record: false,
    });
  });
});

describe("localHolder", () => {
  test("a plain TCP listener is named; a free port is nothing", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-port-"));
    dirs.push(root);
    const ctx = localLifecycle(hostFrom(bridgeEnv(root), root, ""), () => {});
    const [held, free] = [await freePort(), await freePort()];
    await listen(held);
    expect(await localHolder(ctx, host)(held)).toMatch(
      /^a program that accepts connections but does not speak HTTP — pid \d+: /,
    );
    expect(await localHolder(ctx, host)(free)).toBeUndefined();
  });
});

describe("the home's record", () => {
  test("written and read back; absent or empty is none; anything else is an error at its position", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-port-"));
    dirs.push(dir);
    const file = path.join(dir, "bridge.json");
    expect(await readRecordedPort(file)).toBeUndefined();
    await recordPort(file, 7761);
    expect(await readRecordedPort(file)).toBe(7761);
    writeFileSync(file, "\n");
    expect(await readRecordedPort(file)).toBeUndefined();
    for (const [text, at] of [
      ["{", "1:2"],
      ["[]", "1:1"],
      ['{"port":"7761"}', "1:2"],
      ['{"port":0}', "1:2"],
      ['{"port":70000}', "1:2"],
      ["null", "1:1"],
      ['{"__proto__":{"port":1}}', "1:1"],
    ] as const) {
      writeFileSync(file, text);
      await expect(readRecordedPort(file), text).rejects.toMatchObject({
        code: "bridge-record-corrupt",
        message: expect.stringContaining(`${file}:${at}: `),
      });
    }
  });
});
