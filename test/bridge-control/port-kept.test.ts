/**
 * No gap (issue 52, attack 1): from `bridge start` until `bridge stop`, another account cannot
 * take the port the entries name, not even while the bridge is down after a SIGKILL — its keeper
 * holds the listening socket, and a client's request waits in its queue for the next bridge. As
 * root, the other account is real (uid 65534), trying to bind the port every few milliseconds.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { isAlive as alive } from "../../src/core/system/process-alive.js";
import { bridgeEnv, cleanup, runCli, tempDir } from "../bridge-server/helpers.js";
import { nodeOutOfReach } from "../helpers/as-account.js";
import { endStartLoopsUnder } from "../helpers/bridge-loop.js";
import { freePort } from "../helpers/net.js";

const OTHER_UID = 65534;
const notRoot =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot run a process as another user"
    : nodeOutOfReach();
// Shown in every run's output, so a skip is never silent.
if (notRoot) console.warn(`the port kept across a crash, against another account, skipped: ${notRoot}`);

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) endStartLoopsUnder(root);
  await cleanup();
});

/** Another account binding `port` on 127.0.0.1 every 2 ms until its stdin ends; says `bound` if it ever did. */
function squatter(port: number) {
  const script = `
    const net = require("node:net");
    let done = false;
    process.stdin.on("end", () => { done = true; process.exit(0); }).resume();
    const again = () => {
      if (done) return;
      const s = net.createServer((c) => c.end("HTTP/1.1 200 OK\\r\\ncontent-length: 5\\r\\n\\r\\nmine!"));
      s.once("error", () => setTimeout(again, 2));
      s.listen(${port}, "127.0.0.1", () => process.stdout.write("bound\\n"));
    };
    again();`;
  const child = spawn(process.execPath, ["-e", script], {
    uid: OTHER_UID,
    gid: OTHER_UID,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise((r) => child.once("exit", r));
  return {
    said: () => out,
    end: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

function instance(dir: string): { pid: number; port: number } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8"));
  } catch {
    return undefined;
  }
}

async function until<T>(found: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = found();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test.skipIf(notRoot !== undefined)(
  "a SIGKILLed bridge: another account trying all along never holds its port, and the bridge is back on it",
  async () => {
    const root = tempDir();
    roots.push(root);
    const env = bridgeEnv(root);
    const port = await freePort();
    mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
    writeFileSync(
      path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
      JSON.stringify({ servers: {}, bridge: { port } }),
    );
    const dir = env.MCP_TWIN_BRIDGE_HOME!;
    const started = await runCli(["bridge", "start"], env);
    expect(started.code, started.stderr).toBe(0);
    const first = JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8")) as { pid: number };
    const other = squatter(port);
    try {
      for (let i = 0; i < 2; i++) {
        const before = JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8")) as { pid: number };
        process.kill(before.pid, "SIGKILL");
        // A client's request made while no bridge runs is answered by the next one (401: no token).
        const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
          method: "POST",
          signal: AbortSignal.timeout(20_000),
        });
        expect(await res.text()).not.toBe("mine!");
        expect(res.status).toBe(401);
        const after = await until(() => {
          const now = instance(dir);
          return now && now.pid !== before.pid ? now : undefined;
        });
        expect(after.port).toBe(port);
        expect(alive(after.pid)).toBe(true);
      }
      expect(other.said()).toBe("");
    } finally {
      await other.end();
    }
    const stop = await runCli(["bridge", "stop"], env);
    expect(stop.code, stop.stderr).toBe(0);
    expect(alive(first.pid)).toBe(false);
  },
  60_000,
);
