/**
 * A squatter of another user account (uid 65534) captures a url entry's credential on the bridge's
 * port while the bridge is down; once the bridge is back, that credential is useless to it, while
 * the same request from the user's own account is taken. Needs root (to run the squatter as
 * another uid) and /proc/net/tcp: skipped, with the reason printed, otherwise.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, inject, test } from "vitest";
import { clientToken } from "../../src/core/bridge-link/client-token.js";
import { freePort } from "../helpers/net.js";
import { cleanup, startBridge, tempDir } from "./helpers.js";

const skip =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot start a process as another user"
    : !existsSync("/proc/net/tcp")
      ? "no /proc/net/tcp here: the bridge does not check accounts on this system"
      : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`another-account squatter test skipped: ${skip}`);

const OTHER_UID = 65534;
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
});

/**
 * The squatter: listens on the port, keeps the Authorization header of the first request, then
 * closes; each line on stdin (`{ url, authorization? }`) is a request it makes, answered on stdout.
 */
const SQUATTER = `
const http = require("node:http");
const lines = require("node:readline").createInterface({ input: process.stdin });
let captured;
const server = http.createServer((req, res) => {
  captured = req.headers.authorization;
  res.writeHead(503, { connection: "close" }).end();
  server.close();
  server.closeAllConnections();
  console.log(JSON.stringify({ captured: typeof captured === "string" }));
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => console.log(JSON.stringify({ listening: true })));
lines.on("line", async (line) => {
  const { url, authorization } = JSON.parse(line);
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: authorization ?? captured, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: ${JSON.stringify(INIT)},
  });
  console.log(JSON.stringify({ status: res.status, body: await res.text() }));
});
`;

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  await cleanup();
});

/** The squatter as another uid, its script in a folder that uid can read; its stdout as a queue of lines. */
function startSquatter(port: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-squatter-"));
  chmodSync(dir, 0o755);
  const script = path.join(dir, "squatter.cjs");
  writeFileSync(script, SQUATTER, { mode: 0o644 });
  const child = spawn(process.execPath, [script, String(port)], {
    uid: OTHER_UID,
    gid: OTHER_UID,
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir },
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  child.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const waiting: Array<(line: string) => void> = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const take = (line: string) => resolve(JSON.parse(line) as Record<string, unknown>);
      const early = lines.shift();
      if (early !== undefined) take(early);
      else waiting.push(take);
      child.once("exit", (code) => reject(new Error(`the squatter exited (${code})`)));
    });
  return {
    next,
    async ask(url: string, authorization?: string) {
      child.stdin!.write(`${JSON.stringify({ url, ...(authorization ? { authorization } : {}) })}\n`);
      return next();
    },
  };
}

async function ownRequest(url: string, authorization: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      authorization,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: INIT,
  });
  return { status: res.status, body: await res.text() };
}

describe.skipIf(skip !== undefined)(
  `a squatter of another user account${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    test("captures the entry's credential while the bridge is down: refused with it once the bridge is back; the user is not", async () => {
      const root = tempDir();
      const home = path.join(root, "mcp-twin-home");
      const bridgeHome = path.join(root, "bridge");
      mkdirSync(home, { recursive: true });
      mkdirSync(bridgeHome, { recursive: true, mode: 0o700 });
      // The bridge token sync created; the entry holds a client token derived from it.
      const token = "t".repeat(43);
      writeFileSync(path.join(bridgeHome, "token"), `${token}\n`, { mode: 0o600 });
      writeFileSync(
        path.join(home, "mcp-twin.jsonc"),
        JSON.stringify({
          servers: { a: { command: process.execPath, args: [inject("fixtureScript")], share: "machine" } },
        }),
      );
      const entryAuth = `Bearer ${clientToken(token, "a", "linux:claude-code")}`;
      const port = await freePort();
      const squatter = startSquatter(port);
      expect(await squatter.next()).toEqual({ listening: true });
      // The client starts a session while the bridge is down: its entry's request goes to the squatter.
      const sent = await fetch(`http://127.0.0.1:${port}/share/a`, {
        method: "POST",
        headers: { authorization: entryAuth, "content-type": "application/json" },
        body: INIT,
      });
      expect(sent.status).toBe(503);
      expect(await squatter.next()).toEqual({ captured: true });

      const b = await startBridge({ root, args: ["--port", String(port)] });
      expect(b.port).toBe(port);
      const share = `http://127.0.0.1:${port}/share/a`;
      const refused = await squatter.ask(share);
      const mine = await ownRequest(share, entryAuth);
      expect(mine.status, mine.body).toBe(200);
      // The same answer as a bad credential: nothing says why.
      const bad = await ownRequest(share, "Bearer nope");
      expect(refused).toEqual({ status: 401, body: bad.body });
      // Even the bridge token itself (had it been captured) opens nothing to that account.
      expect((await squatter.ask(`http://127.0.0.1:${port}/mcp`, `Bearer ${token}`)).status).toBe(401);
      expect((await ownRequest(`http://127.0.0.1:${port}/mcp`, `Bearer ${token}`)).status).toBe(200);
    }, 60_000);
  },
);
