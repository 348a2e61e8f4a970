/**
 * For the tests of renewals under stress (a hostile provider, killed relays, logins and logouts
 * racing a renewal): a machine logged in to the OAuth fixture, relays as clients start them (real
 * processes), the stored login, and a server that takes connections and never answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { expect } from "vitest";
import {
  type OAuthFixture,
  type OAuthFixtureOptions,
  startOAuthFixture,
} from "../fixtures/oauth/oauth-server.js";
import { BIN, createFakeMachine, type FakeMachine, writeManifest } from "./fake-machine.js";
import { freePort } from "./net.js";
import { BROWSER } from "./oauth.js";

export interface StoredForTest {
  tokens: { access_token: string; refresh_token: string };
  issuedAt: number;
  expiresAt: number;
  metadata: Record<string, unknown>;
  failure?: { revoked: boolean; spent?: boolean; message: string };
}

export const loginPath = (m: FakeMachine) => path.join(m.paths.home, "oauth", "docs.json");

export const stored = (m: FakeMachine) => JSON.parse(readFileSync(loginPath(m), "utf8")) as StoredForTest;

export const storedOrNull = (m: FakeMachine) => (existsSync(loginPath(m)) ? stored(m) : null);

/** A fixture and a machine whose manifest has `docs` on it, logged in (`cleanups` closes both). */
export async function loggedIn(
  cleanups: Array<() => unknown>,
  options: OAuthFixtureOptions = {},
): Promise<{ fx: OAuthFixture; m: FakeMachine }> {
  const fx = await startOAuthFixture(options);
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code, r.stderr).toBe(0);
  return { fx, m };
}

/** The stored login found due for renewal by the next relay (as if its token had aged). */
export function makeDue(m: FakeMachine): void {
  const login = stored(m);
  login.expiresAt = Date.now() - 1000;
  writeFileSync(loginPath(m), JSON.stringify(login));
}

/** Until the stored access token has expired (its lifetime is a second or two): the next call is refused. */
export async function untilExpired(m: FakeMachine): Promise<void> {
  const { expiresAt } = stored(m);
  while (Date.now() <= expiresAt + 50) await new Promise((r) => setTimeout(r, 50));
}

/** A client session through a relay, as Claude Desktop starts one (`env` added to the machine's). */
export async function session(
  cleanups: Array<() => unknown>,
  fx: OAuthFixture,
  m: FakeMachine,
  env: Record<string, string> = {},
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "connect", fx.url, "--auth", "docs"],
    env: { ...m.env, ...env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const client = new Client({ name: "claude-desktop", version: "1.0.0" });
  cleanups.push(() => client.close());
  await client.connect(transport);
  return { client, stderr: () => err };
}

export const echo = async (client: Client, text: string) => {
  const r = await client.callTool({ name: "echo", arguments: { text } });
  return (r.content as Array<{ text: string }>)[0]?.text;
};

/** A process of the built binary, its output gathered, its end awaitable. */
export interface Running {
  child: ChildProcess;
  output(): string;
  /** Until its output matches (or it ended: then false). */
  says(pattern: RegExp): Promise<boolean>;
  exit: Promise<number | null>;
}

export function start(args: string[], env: Record<string, string>, cleanups: Array<() => unknown>): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  const listeners = new Set<() => void>();
  const take = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  let ended = false;
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      ended = true;
      for (const l of listeners) l();
      resolve(code);
    }),
  );
  cleanups.push(() => {
    if (!ended) child.kill("SIGKILL");
    return exit;
  });
  return {
    child,
    output: () => out,
    exit,
    says: (pattern) =>
      new Promise((resolve) => {
        const check = () => {
          if (pattern.test(out) || ended) {
            listeners.delete(check);
            resolve(pattern.test(out));
          }
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Until the process is stopped (state T in /proc: it stopped itself at a step). */
export async function untilStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/\) T /.test(stat)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A loopback server that takes every connection and request and never answers. */
export async function startSilentServer(): Promise<{
  url: string;
  requests: () => number;
  close(): Promise<void>;
}> {
  let requests = 0;
  const server = http.createServer(() => {
    requests++;
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
