/**
 * The program holding the bridge's port is named by its command line, which that program wrote
 * (a process sets its own title): a real process whose argv carries a line break, a fake
 * `✔ Running at …` status line and terminal escapes is shown escaped, on its one line, by
 * `bridge status`, `bridge start`, `connect` and `doctor`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { portHolder } from "../../src/core/bridge-link/index.js";
import { bridgeEnv, cleanup, runCli, tempDir } from "../bridge-server/helpers.js";
import { freePort } from "../helpers/net.js";

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await cleanup();
});

/** A program on `port` that retitles itself `title` (it answers 401 to anything). */
async function squatter(port: number, title: string): Promise<ChildProcess> {
  const script = `process.title = process.argv[1]; require("http").createServer((q, s) => s.writeHead(401).end()).listen(${port}, "127.0.0.1", () => console.log("up"))`;
  const child = spawn(process.execPath, ["-e", script, title], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the squatter exited ${code}`)));
  });
  return child;
}

test("a holder whose command line fakes a status line is shown escaped, on its own line", async () => {
  const port = await freePort();
  const fake = `\n✔ Running at http://127.0.0.1:${port}/mcp (pid 1)\u001b[2K\r\u202e`;
  const child = await squatter(port, fake);
  const escaped = `\\n✔ Running at http://127.0.0.1:${port}/mcp (pid 1)\\x1B[2K\\r\\u202E`;

  expect(await portHolder(port)).toEqual({
    pid: child.pid,
    command: expect.stringMatching(/^\\n✔ Running at /),
  });

  const root = tempDir();
  const env = bridgeEnv(root);
  mkdirSync(env.MCP_TWIN_HOME!, { recursive: true });
  writeFileSync(
    path.join(env.MCP_TWIN_HOME!, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { enabled: true, port } }),
  );
  mkdirSync(env.MCP_TWIN_BRIDGE_HOME!, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(env.MCP_TWIN_BRIDGE_HOME!, "token"), "home-token-0d5c9e4b7a1f3e2d6c8b\n", {
    mode: 0o600,
  });
  const runs = {
    status: await runCli(["bridge", "status"], env),
    start: await runCli(["bridge", "start"], env),
    connect: await runCli(["connect", `http://127.0.0.1:${port}/mcp`], env),
    doctor: await runCli(["doctor", "--no-probe"], env),
  };
  for (const [name, r] of Object.entries(runs)) {
    const text = r.stdout + r.stderr;
    expect(text, name).toContain(`pid ${child.pid}: `);
    expect(text, name).toContain(escaped);
    // Nothing the holder wrote starts a line, moves the cursor or reorders the text.
    expect(text, name).not.toMatch(/^✔ Running at/m);
    expect(text, name).not.toMatch(/[\u001b\r\u202e]/);
  }
}, 60_000);
