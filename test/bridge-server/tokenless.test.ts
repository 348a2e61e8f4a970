/**
 * A url entry with no credential (what sync writes where the client runs in the bridge's own Linux
 * or WSL environment): a real bridge takes a request with no Authorization on `/share/<name>` from
 * its own user account only, and nowhere else (`/mcp`, `/control/*`). As root, it also refuses
 * another account's tokenless request, and root's own when the bridge is another account's (root is
 * WSL's forwarding of Windows programs: taken with a token, never without). Needs /proc/net/tcp.
 */
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, inject, test } from "vitest";
import { clientToken } from "../../src/core/bridge-control/client-token.js";
import { cleanup, startBridge, tempDir } from "./helpers.js";

const noProc = existsSync("/proc/net/tcp")
  ? undefined
  : "no /proc/net/tcp here: the bridge cannot tell accounts apart, so it takes no request without a token";
const notRoot =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot run a process as another user"
    : undefined;
// Shown in every run's output, so a skip is never silent.
if (noProc) console.warn(`tokenless url entry tests skipped: ${noProc}`);
else if (notRoot) console.warn(`tokenless url entry tests across accounts skipped: ${notRoot}`);

const OTHER_UID = 65534;
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
});

afterEach(cleanup);

/** A bridge home whose manifest shares `a` (the fixture server) per machine; readable by `uid`. */
function home(uid?: number): string {
  const root = tempDir();
  const mcpHome = path.join(root, "mcp-twin-home");
  mkdirSync(mcpHome, { recursive: true });
  mkdirSync(path.join(root, "bridge"), { recursive: true, mode: 0o700 });
  let script = inject("fixtureScript");
  if (uid !== undefined) {
    // The fixture is one bundled file: a copy in a folder the other account can read.
    const dir = path.join(root, "fixture");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
    copyFileSync(script, path.join(dir, "server.js"));
    script = path.join(dir, "server.js");
  }
  writeFileSync(
    path.join(mcpHome, "mcp-twin.jsonc"),
    JSON.stringify({ servers: { a: { command: process.execPath, args: [script], share: "machine" } } }),
  );
  if (uid !== undefined) {
    chmodSync(root, 0o755);
    const own = (p: string) => {
      chownSync(p, uid, uid);
      for (const e of readdirSync(p, { withFileTypes: true }))
        e.isDirectory() ? own(path.join(p, e.name)) : chownSync(path.join(p, e.name), uid, uid);
    };
    own(root);
  }
  return root;
}

/** One POST `initialize` (no Authorization unless given); its status. */
async function post(url: string, authorization?: string): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(authorization ? { authorization } : {}),
    },
    body: INIT,
  });
  await res.text();
  return res.status;
}

/** The same request made by a process of another account: its status and body. */
function postAs(uid: number, url: string): Promise<{ status: number; body: string }> {
  const script = `fetch(${JSON.stringify(url)}, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: ${JSON.stringify(INIT)} }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script], {
      uid,
      gid: uid,
      cwd: "/",
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("error", reject);
    child.once("exit", () => resolve(JSON.parse(out) as { status: number; body: string }));
  });
}

describe.skipIf(noProc !== undefined)(
  `a request with no credential${noProc ? ` (skipped: ${noProc})` : ""}`,
  () => {
    test("from the bridge's own account: taken on /share/<name> (a whole session works), refused on /mcp and the control routes", async () => {
      const b = await startBridge({ root: home() });
      const share = `http://127.0.0.1:${b.port}/share/a`;
      const client = new Client({ name: "tokenless", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(share)));
      try {
        const result = await client.callTool({ name: "whoami", arguments: {} });
        expect(JSON.stringify(result.content)).toContain("pid");
      } finally {
        await client.close();
      }
      expect(await post(`http://127.0.0.1:${b.port}/mcp`)).toBe(401);
      for (const [method, route] of [
        ["GET", "status"],
        ["POST", "reload"],
        ["POST", "warm"],
      ] as const) {
        const res = await fetch(`http://127.0.0.1:${b.port}/control/${route}`, { method });
        expect(res.status, route).toBe(401);
      }
      // A credential that is sent is checked: a wrong one is refused, even from the same account.
      expect(await post(share, "Bearer nope")).toBe(401);
      // And a browser page (it runs as the same account) is still refused by its Origin.
      const page = await fetch(share, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example" },
        body: INIT,
      });
      expect(page.status).toBe(403);
    }, 60_000);

    describe.skipIf(notRoot !== undefined)(
      `across accounts${notRoot ? ` (skipped: ${notRoot})` : ""}`,
      () => {
        test("another account's tokenless request is refused, and learns no share name; the bridge's own account's is taken", async () => {
          const b = await startBridge({ root: home() });
          const share = `http://127.0.0.1:${b.port}/share/a`;
          const refused = await postAs(OTHER_UID, share);
          expect(refused.status).toBe(401);
          expect(await postAs(OTHER_UID, `http://127.0.0.1:${b.port}/share/no-such-server`)).toEqual(refused);
          expect(await post(share)).toBe(200);
          // The bridge's own account owns the bridge (it can read its token): told 404 for an unknown name.
          expect(await post(`http://127.0.0.1:${b.port}/share/no-such-server`)).toBe(404);
        }, 60_000);

        test("a bridge of another account: root (WSL's forwarding) is refused without a token and taken with its client token; the account itself needs none", async () => {
          const b = await startBridge({ root: home(OTHER_UID), uid: OTHER_UID });
          const share = `http://127.0.0.1:${b.port}/share/a`;
          expect(await post(share)).toBe(401);
          expect(await post(share, `Bearer ${clientToken(b.token, "a", "windows:cursor")}`)).toBe(200);
          expect((await postAs(OTHER_UID, share)).status).toBe(200);
        }, 60_000);
      },
    );
  },
);
