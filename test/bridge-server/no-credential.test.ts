/**
 * Nothing opens the bridge without a credential (issue 52, attacks 2–4): not the bridge's own
 * account (a sandboxed process of that account, its home hidden, is that account too), not a
 * browser page with the bridge's own loopback origin, and a refusal reads no socket table, so a
 * flood without a valid credential costs the bridge nothing. As root, the sandbox (a mount and pid
 * namespace, the home under a tmpfs, the bridge's own uid) and another account are tried for real.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { clientToken } from "../../src/core/bridge-link/client-token.js";
import { nodeOutOfReach } from "../helpers/as-account.js";
import { type Cleanups, cleanup, forFile, startBridge, tempDir } from "./helpers.js";

const noProc = existsSync("/proc/net/tcp")
  ? undefined
  : "no /proc/net/tcp here: the bridge cannot tell accounts apart";
const notRoot =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot run a process as another user, nor make a sandbox"
    : (nodeOutOfReach() ??
      (existsSync("/usr/bin/unshare") ? undefined : "no util-linux unshare: no sandbox can be made"));
// Shown in every run's output, so a skip is never silent.
if (notRoot)
  console.warn(`requests without a credential across accounts and from a sandbox skipped: ${notRoot}`);

const OTHER_UID = 65534;
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
});

afterEach(cleanup);

/**
 * A bridge home whose manifest shares `a` (the fixture server) per machine; owned by `uid`; removed
 * with the steps of `list` (a file's), else at the next `cleanup()`.
 */
function home(uid?: number, list?: Cleanups): string {
  const root = tempDir(list);
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
async function post(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: INIT,
  });
  await res.text();
  return res.status;
}

/**
 * `script` (JavaScript, its last line printed as JSON) run as `uid`; `sandbox`: in a mount and pid
 * namespace of its own where `hidden` is under an empty tmpfs — a sandboxed app of that account.
 */
function runAs(uid: number, script: string, sandbox?: { hidden: string }): Promise<unknown> {
  const node = [process.execPath, "-e", script];
  const drop = ["/usr/bin/setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", ...node];
  const [file, args, account] = sandbox
    ? [
        "/usr/bin/unshare",
        [
          "--mount",
          "--pid",
          "--fork",
          "--mount-proc",
          "/bin/sh",
          "-c",
          'mount -t tmpfs tmpfs "$1" && shift && exec "$@"',
          "sandbox",
          sandbox.hidden,
          ...drop,
        ],
        {},
      ]
    : [process.execPath, node.slice(1), { uid, gid: uid }];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...account,
      cwd: "/",
      env: { PATH: process.env.PATH ?? "", HOME: sandbox?.hidden ?? "/" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? ""));
      } catch {
        reject(new Error(`exit ${code}: ${out}`));
      }
    });
  });
}

/** What a process of the attacking account sends: an initialize, with whatever credential it found. */
const ATTACK = (url: string, files: readonly string[] = []) => `
const fs = require("node:fs");
const init = ${JSON.stringify(INIT)};
const ask = (authorization) => fetch(${JSON.stringify(url)}, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(authorization ? { authorization } : {}) }, body: init }).then(async (r) => ({ status: r.status, body: await r.text() }));
(async () => {
  // What it can find: files of the home, the token, other processes' environments.
  const found = [];
  const tryRead = (f) => { try { const t = fs.readFileSync(f, "utf8"); found.push(...(t.match(/mt2\\.[A-Za-z0-9._~:@+-]+|[A-Za-z0-9_-]{43}/g) ?? [])); } catch {} };
  for (const f of ${JSON.stringify(files)}) tryRead(f);
  for (const p of fs.readdirSync("/proc").filter((d) => /^\\d+$/.test(d))) tryRead("/proc/" + p + "/environ");
  const none = await ask();
  const tried = [];
  for (const t of [...new Set(found)].slice(0, 20)) tried.push((await ask("Bearer " + t)).status);
  console.log(JSON.stringify({ none, found: found.length, tried }));
})();
`;

describe.skipIf(noProc !== undefined)(
  `a request with no valid credential${noProc ? ` (skipped: ${noProc})` : ""}`,
  () => {
    /**
     * The bridge of the tests of a request from its own account and from another: one for both,
     * which only ask it (neither changes it).
     */
    const ownAccount = forFile((list) => startBridge({ root: home(undefined, list) }, list));

    test("from the bridge's own account: refused on every route, /share/<name> too (401, the same for a name not shared)", async () => {
      const b = ownAccount();
      const share = `http://127.0.0.1:${b.port}/share/a`;
      expect(await post(share)).toBe(401);
      expect(await post(`http://127.0.0.1:${b.port}/share/no-such-server`)).toBe(401);
      expect(await post(`http://127.0.0.1:${b.port}/mcp`)).toBe(401);
      for (const [method, route] of [
        ["GET", "status"],
        ["POST", "reload"],
      ] as const)
        expect((await fetch(`http://127.0.0.1:${b.port}/control/${route}`, { method })).status, route).toBe(
          401,
        );
      // Its entry's own client token opens it.
      expect(
        await post(share, { authorization: `Bearer ${clientToken(b.token, "a", "linux:cursor")}` }),
      ).toBe(200);
    }, 60_000);

    test("a browser page is refused by its Origin, whatever it presents — the bridge's own loopback origins too — unless the user allowed that origin", async () => {
      const b = await startBridge({ root: home(), args: ["--allow-origin", "http://localhost:6274"] });
      const share = `http://127.0.0.1:${b.port}/share/a`;
      const authorization = `Bearer ${clientToken(b.token, "a", "linux:cursor")}`;
      for (const origin of [
        `http://127.0.0.1:${b.port}`,
        `http://localhost:${b.port}`,
        `http://[::1]:${b.port}`,
        "https://evil.example",
        "null",
      ]) {
        expect(await post(share, { origin, authorization }), origin).toBe(403);
        expect(await post(share, { origin }), origin).toBe(403);
      }
      expect(await post(share, { origin: "http://localhost:6274", authorization })).toBe(200);
    }, 60_000);

    test("a refusal reads no socket table: with the table a pipe no one writes, 300 requests without a valid credential are answered at once; a valid one waits for the read", async () => {
      const sysroot = tempDir();
      mkdirSync(path.join(sysroot, "proc", "net"), { recursive: true });
      // Pipes (coreutils' mkfifo: node makes none) whose reader waits until someone writes.
      const tcp = path.join(sysroot, "proc", "net", "tcp");
      execFileSync("/usr/bin/mkfifo", [tcp, path.join(sysroot, "proc", "net", "tcp6")]);
      const b = await startBridge({ root: home(), env: { MCP_TWIN_SYSROOT: sysroot } });
      const share = `http://127.0.0.1:${b.port}/share/a`;
      const another = `Bearer ${clientToken(b.token, "other", "linux:cursor")}`;
      const statuses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          post(share, i % 3 === 0 ? {} : { authorization: i % 3 === 1 ? "Bearer nope" : another }),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
      // A valid credential is judged by the account that holds the connection: it reads the table.
      let answered = false;
      const valid = post(share, { authorization: `Bearer ${b.token}` }).then((s) => {
        answered = true;
        return s;
      });
      expect(await post(share)).toBe(401);
      expect(answered).toBe(false);
      // The table written: this account's connection is named in it, and the request goes on.
      const table = readFileSync("/proc/net/tcp");
      const writer = await open(tcp, "w");
      await writer.write(table);
      await writer.close();
      expect(await valid).toBe(200);
    }, 60_000);

    describe.skipIf(notRoot !== undefined)(
      `as another account, and sandboxed${notRoot ? ` (skipped: ${notRoot})` : ""}`,
      () => {
        test("a sandboxed process of the bridge's own account, its home hidden: no credential, nothing it can find opens a shared server", async () => {
          const root = home(OTHER_UID);
          const b = await startBridge({ root, uid: OTHER_UID });
          const share = `http://127.0.0.1:${b.port}/share/a`;
          const files = [path.join(b.dir, "token"), path.join(root, "mcp-twin-home", "mcp-twin.jsonc")];
          const attack = (await runAs(OTHER_UID, ATTACK(share, files), { hidden: root })) as {
            none: { status: number };
            found: number;
            tried: number[];
          };
          expect(attack.none.status).toBe(401);
          expect(attack.tried.every((s) => s === 401)).toBe(true);
          // Outside the sandbox the same account reads the token (its own files): the attack's
          // failure is the sandbox's doing, not a missing bridge.
          const outside = (await runAs(OTHER_UID, ATTACK(share, files))) as { tried: number[] };
          expect(outside.tried).toContain(200);
        }, 60_000);

        test("another account: refused with no credential, and learns no share name", async () => {
          const b = ownAccount();
          const share = `http://127.0.0.1:${b.port}/share/a`;
          const refused = (await runAs(OTHER_UID, ATTACK(share))) as { none: unknown };
          const unknown = (await runAs(
            OTHER_UID,
            ATTACK(`http://127.0.0.1:${b.port}/share/no-such-server`),
          )) as {
            none: unknown;
          };
          expect(refused.none).toMatchObject({ status: 401 });
          expect(unknown.none).toEqual(refused.none);
        }, 60_000);

        test("a bridge of another account: root (WSL's forwarding of Windows programs) is taken with its client token, refused without", async () => {
          const b = await startBridge({ root: home(OTHER_UID), uid: OTHER_UID });
          const share = `http://127.0.0.1:${b.port}/share/a`;
          expect(await post(share)).toBe(401);
          expect(
            await post(share, { authorization: `Bearer ${clientToken(b.token, "a", "windows:cursor")}` }),
          ).toBe(200);
        }, 60_000);
      },
    );
  },
);
