/**
 * The program holding the bridge's port is named by its command line, which that program wrote
 * (a process sets its own title): a real process whose argv carries a line break, a fake
 * `✔ Running at …` status line and terminal escapes is shown escaped, on its one line, by
 * `bridge status`, `bridge start`, `connect` and `doctor`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
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

test("the holder is the process with the port's listening socket, never one with a connection on it", async () => {
  // A fake /proc: 41 holds the listening socket of port 7760 (inode 4242), 42 a connection to it
  // (777), 40 that connection's other end, on port 7760 too (778); 43 listens on 7761 (999).
  const proc = tempDir();
  mkdirSync(path.join(proc, "net"));
  const row = (sl: number, local: string, remote: string, state: string, inode: number) =>
    `  ${sl}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0`;
  writeFileSync(
    path.join(proc, "net", "tcp"),
    [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      row(0, "0100007F:9C40", "0100007F:1E50", "01", 777),
      row(3, "0100007F:1E50", "0100007F:9C40", "01", 778),
      row(1, "0100007F:1E50", "00000000:0000", "0A", 4242),
      row(2, "0100007F:1E51", "00000000:0000", "0A", 999),
      "",
    ].join("\n"),
  );
  for (const [pid, inode] of [
    [40, 778],
    [42, 777],
    [41, 4242],
    [43, 999],
  ]) {
    mkdirSync(path.join(proc, String(pid), "fd"), { recursive: true });
    symlinkSync(`socket:[${inode}]`, path.join(proc, String(pid), "fd", "3"));
    writeFileSync(path.join(proc, String(pid), "cmdline"), `holder-${pid}\0--flag\0`);
  }
  expect(await portHolder(7760, proc)).toEqual({ pid: 41, command: "holder-41 --flag" });
  expect(await portHolder(7761, proc)).toEqual({ pid: 43, command: "holder-43 --flag" });
  expect(await portHolder(7762, proc)).toBeUndefined();
});
