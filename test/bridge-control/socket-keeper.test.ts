/**
 * The bridge's Node keeper (socket-keeper.ts: what runs it on Windows, where no `sh` can hold a
 * socket), run for real here with the built bridge: it holds the port while the bridge is down —
 * no other program can take it, and a request made then is answered by the next bridge — hands
 * every connection to the bridge, ends on `stop-requested` at once even in its pause, and leaves a
 * port another keeper of this home holds with exit 3. The native-Windows suite runs it with the
 * real node.exe (test/windows/keeper.test.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { BIN, bridgeEnv, cleanup, runCli, tempDir } from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";

const started: ChildProcess[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const dir of homes.splice(0)) {
    const info = instance(dir);
    if (info && alive(info.pid)) process.kill(info.pid, "SIGKILL");
  }
  await cleanup();
});

async function home() {
  const env = bridgeEnv(tempDir());
  const port = await freePort();
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { port } }),
  );
  homes.push(env.MCP_TWIN_BRIDGE_HOME!);
  return { env, dir: env.MCP_TWIN_BRIDGE_HOME!, port };
}

/** `serve --http --keep` from `script` (this build's entry, or a copy of it). */
function keeper(env: Record<string, string>, script = BIN) {
  const child = spawn(process.execPath, [script, "serve", "--http", "--keep"], { env, stdio: "ignore" });
  started.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, exited };
}

function instance(dir: string): { pid: number; url: string; port: number; keeper?: number } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** The control route's answer with the bridge's token: its status, or the error. */
async function status(dir: string, port: number, ms = 20_000): Promise<number | string> {
  const token = readFileSync(path.join(dir, "token"), "utf8").trim();
  try {
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

/** A bridge other than `not`, answering, with its serve.json. */
async function answering(dir: string, port: number, not?: number) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const info = instance(dir);
    if (info && info.pid !== not && alive(info.pid) && (await status(dir, port, 2000)) === 200) return info;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no bridge answered on ${port}`);
}

/** Whether another program can listen on `port` now (closed again at once), or the error's code. */
function bindsOn(port: number): Promise<string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve("bound")));
  });
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms).unref(),
    ),
  ]);

test("the Node keeper holds the port while its bridge is down, a request made then is answered by the next bridge, and a stop ends both", async () => {
  const { env, dir, port } = await home();
  const k = keeper(env);
  const first = await answering(dir, port);
  expect(first.keeper).toBe(k.child.pid);
  expect(JSON.parse(readFileSync(path.join(dir, "keeper.json"), "utf8"))).toMatchObject({
    pid: k.child.pid,
    port,
  });

  process.kill(first.pid, "SIGKILL");
  // Another program cannot take the port, and a request made now waits for the next bridge.
  expect(await bindsOn(port)).toBe("EADDRINUSE");
  expect(await status(dir, port)).toBe(200);
  const second = await answering(dir, port, first.pid);
  expect(second.keeper).toBe(k.child.pid);

  const stop = await runCli(["bridge", "stop"], env);
  expect(stop.code, stop.stdout + stop.stderr).toBe(0);
  expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${second.pid}).`);
  expect(await within(k.exited, 10_000, "the keeper still runs")).toBe(0);
  expect(await bindsOn(port)).toBe("bound");
}, 60_000);

test("in its pause after failed starts, stop-requested ends the keeper at once; a second keeper of the home leaves with exit 3", async () => {
  const { env, dir, port } = await home();
  // A copy of mcp-twin's entry: removed, every start of the bridge fails.
  const script = path.join(path.dirname(dir), "doomed", "mcp-twin.js");
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, `import(${JSON.stringify(BIN)});\n`);
  const k = keeper(env, script);
  const first = await answering(dir, port);

  const other = keeper(env);
  expect(await within(other.exited, 20_000, "the second keeper still runs")).toBe(3);

  rmSync(path.dirname(script), { recursive: true });
  process.kill(first.pid, "SIGKILL");
  const log = path.join(dir, "serve.log");
  const deadline = Date.now() + 20_000;
  while (!/starting it again in 2 s/.test(readFileSync(log, "utf8"))) {
    if (Date.now() > deadline) throw new Error(`no second failure: ${readFileSync(log, "utf8")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await bindsOn(port)).toBe("EADDRINUSE");
  // What `bridge stop` writes when it cannot prove the keeper is this home's (Windows).
  writeFileSync(path.join(dir, "stop-requested"), "");
  expect(await within(k.exited, 10_000, "the keeper still runs")).toBe(0);
  expect(await bindsOn(port)).toBe("bound");
}, 60_000);
