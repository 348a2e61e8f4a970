/**
 * The bridge's keeper on Windows (`serve --http --keep`, socket-keeper.ts: what the logon task and
 * `bridge start` run there) with the real node.exe (../shared/win-wine, under wine): it holds the
 * port while its bridge is down (another program cannot listen there, a request made then is
 * answered by the next bridge), hands every connection to the bridge over Node's channel, starts
 * it again on the same socket for `bridge restart`, and `bridge stop` ends it — running, or in its
 * pause after failed starts. `bridge start` starting it
 * is native.test.ts's. Opt-in (MCP_TWIN_WINE=1, `npm run test:windows`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { findTestBed, type WineDrive, type WinResult, wineDrive } from "../helpers/win-wine.js";

const bed = findTestBed();
const skip = !process.env.MCP_TWIN_WINE
  ? "set MCP_TWIN_WINE=1 (or run `npm run test:windows`): it needs wine"
  : "reason" in bed
    ? bed.reason
    : undefined;
if (skip) console.warn(`the Windows keeper's test is skipped: ${skip}`);

let w: WineDrive;
let port = 0;
/** This build's entry, as node.exe names it (Linux's / is Z:). */
const BIN_WIN = `Z:${BIN.replace(/\//g, "\\")}`;
const DOOMED = "C:\\doomed\\mcp-twin.js";

beforeAll(async () => {
  if (skip) return;
  w = wineDrive((bed as { setup: string }).setup, "keeper", true);
  port = await freePort();
  const home = path.join(w.profile, "AppData", "Roaming", "mcp-twin");
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify({ servers: {}, bridge: { port } }));
}, 600_000);
afterAll(() => {
  if (skip) return;
  w.shutdown();
  rmSync(w.dir, { recursive: true, force: true });
});

const stateFile = (name: string) => path.join(w.profile, "AppData", "Local", "mcp-twin", "bridge", name);

function instance(): { pid: number; keeper?: number } | undefined {
  try {
    return JSON.parse(readFileSync(stateFile("serve.json"), "utf8"));
  } catch {
    return undefined;
  }
}

async function status(ms: number): Promise<number | string> {
  try {
    const token = readFileSync(stateFile("token"), "utf8").trim();
    const res = await fetch(`http://127.0.0.1:${port}/control/status`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ms),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    return String(error);
  }
}

/** A bridge other than `not` that answers, with its serve.json. */
async function answering(not?: number): Promise<{ pid: number; keeper?: number }> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const info = instance();
    if (info && info.pid !== not && (await status(5000)) === 200) return info;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("no bridge answered");
}

function bindsOn(p: number): Promise<string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    server.listen(p, "127.0.0.1", () => server.close(() => resolve("bound")));
  });
}

/** TerminateProcess, as a crash (or Task Manager) ends it. */
const terminate = (pid: number) => w.node(["-e", `process.kill(${pid})`]);

describe.skipIf(skip !== undefined)(`the Windows keeper${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("holds the port across a crash: another program cannot listen there, a request made meanwhile is answered by the next bridge; bridge stop ends it", async () => {
    const keeper: Promise<WinResult> = w.node([BIN_WIN, "serve", "--http", "--keep"]);
    const first = await answering();
    expect(first.keeper).toEqual(expect.any(Number));
    expect(JSON.parse(readFileSync(stateFile("keeper.json"), "utf8"))).toMatchObject({
      pid: first.keeper,
      port,
    });
    await terminate(first.pid);
    expect(await bindsOn(port)).toBe("EADDRINUSE");
    expect(await status(60_000)).toBe(200);
    const second = await answering(first.pid);
    expect(second.keeper).toBe(first.keeper);

    // `bridge restart` (no SIGUSR2 on Windows): the bridge is ended and the keeper starts it again
    // on its socket — the same keeper, never a moment the port is free.
    await w.node([BIN_WIN, "bridge", "restart"]);
    const third = await answering(second.pid);
    expect(third.keeper).toBe(first.keeper);

    const stop = await w.node([BIN_WIN, "bridge", "stop"]);
    expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${third.pid}).`);
    // Ended (TerminateProcess), and the port is free.
    await keeper;
    expect(await bindsOn(port)).toBe("bound");
  }, 300_000);

  test("a keeper whose bridge fails at every start is ended by bridge stop in its pause", async () => {
    // A copy of mcp-twin's entry to start from: removed, every start of the bridge fails.
    const doomed = w.linux(DOOMED);
    mkdirSync(path.dirname(doomed), { recursive: true });
    writeFileSync(doomed, `import(${JSON.stringify(`file:///${BIN_WIN.replace(/\\/g, "/")}`)});\n`);
    const run: Promise<WinResult> = w.node([DOOMED, "serve", "--http", "--keep"]);
    const bridge = await answering();
    const keeper = bridge.keeper;
    expect(keeper).toEqual(expect.any(Number));
    rmSync(path.dirname(doomed), { recursive: true });
    await terminate(bridge.pid);
    const deadline = Date.now() + 120_000;
    while (!/starting it again in [24] s/.test(readFileSync(stateFile("serve.log"), "utf8"))) {
      if (Date.now() > deadline) throw new Error("the bridge's starts did not fail");
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await bindsOn(port)).toBe("EADDRINUSE");
    const stop = await w.node([BIN_WIN, "bridge", "stop"]);
    expect(stop.stdout).toContain(
      `✔ The bridge was not running; stopped what would have started it again (pid ${keeper}).`,
    );
    expect((await run).code).toBe(0);
    expect(await bindsOn(port)).toBe("bound");
    expect(w.nodeProcesses()).toEqual([]);
  }, 300_000);
});
