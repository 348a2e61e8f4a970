/**
 * `mcp-twin login` against a server that never answers: in a terminal it says what it waits for,
 * and one Ctrl-C ends it (exit 130, saying it stopped before writing anything); left alone, it gives up after its limit
 * and says what timed out and what to do. Nothing is stored either way.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";
import { startSilentServer } from "../helpers/oauth-relays.js";
import { KEY, runInPty } from "../helpers/pty.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function silentRemote(): Promise<{ m: FakeMachine; url: string; requests: () => number }> {
  const silent = await startSilentServer();
  cleanups.push(() => silent.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  const url = `${silent.url}/mcp`;
  writeManifest(m, { servers: { docs: { url, auth: "oauth" } } });
  return { m, url, requests: silent.requests };
}

test("in a terminal: it says what it waits for, and the first Ctrl-C ends it (exit 130, and it says it stopped)", async () => {
  const { m, url, requests } = await silentRemote();
  const pty = runInPty(["login", "docs"], { ...m.env, BROWSER }, m.paths.linuxHome);
  // The login has asked the server, which keeps silent.
  while (requests() === 0) await new Promise((r) => setTimeout(r, 20));
  pty.type(KEY.ctrlC);
  // One Ctrl-C, and the login ends within seconds (a second one would exit at once, unsaid).
  const ended = await Promise.race([
    pty.exit,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref()),
  ]);
  expect(ended?.code, pty.output().slice(-1500)).toBe(130);
  expect(ended?.output).toContain("✖ Stopped before anything was written.");
  // What it was waiting for, on the screen while it waited.
  expect(ended?.output).toContain(`Asking ${url} how to log in to docs…`);
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(false);
}, 60_000);

test("left alone: it gives up after its limit (MCP_TWIN_OAUTH_TIMEOUT, 2 s here; 15 s by default), saying what timed out and what to do (exit 1, nothing stored)", async () => {
  const { m, url } = await silentRemote();
  const r = await m.run(["login", "docs"], { env: { BROWSER, MCP_TWIN_OAUTH_TIMEOUT: "2" } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`Cannot find how to log in to docs (${url}): ${url} did not answer within 2 s.`);
  expect(r.stderr).toContain(
    `Nothing was stored. Check that ${url} is the server's address and that it is up (\`mcp-twin doctor\` contacts it), then run \`mcp-twin login docs\` again.`,
  );
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(false);
}, 60_000);
