/**
 * A relay killed in the middle of renewing a login never makes mcp-twin send its refresh token
 * twice: real relays against the OAuth fixture (rotating refresh tokens, reuse detected), relay A
 * killed (SIGKILL, or SIGTERM as clients stop servers) at every step of a renewal — before it
 * recorded the renewal, after recording and before sending, during the request, after the answer
 * and before storing it, after storing it — then relay B started: the provider never sees the same
 * refresh token twice, and B either renews (nothing was sent, or what came back was stored) or
 * tells its client plainly to log in again. A renewal whose process only froze (its lock went
 * stale) is waited out, and its tokens are used.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";
import {
  echo,
  loggedIn,
  makeDue,
  type Running,
  session,
  start,
  stored,
  untilStopped,
} from "../helpers/oauth-relays.js";

// login and status run in this process (test/helpers/in-process.ts); every relay, killed or not,
// is a process of the built binary.
runInProcessByDefault();

type Cleanups = Array<() => unknown>;

/** A relay's environment that makes it stop itself at a step of its renewal (see the fixture). */
const STOP_AT = pathToFileURL(path.join(import.meta.dirname, "../fixtures/stop-at/stop-at.mjs")).href;
const stoppingAt = (env: Record<string, string>, stepName: string) => ({
  ...env,
  MCP_TWIN_STOP_AT: stepName,
  NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --import=${STOP_AT}`.trim(),
});

/** Each test's own cleanups (the steps run side by side: they wait on processes, not on a core). */
function cleanupsOf(onTestFinished: (fn: () => Promise<void>) => void): Cleanups {
  const cleanups: Cleanups = [];
  onTestFinished(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

type Step = "locked" | "recorded" | "request" | "answered" | "saved";

const NEEDS_LOGIN =
  /The login to docs cannot be renewed \(a renewal was interrupted before its answer was stored; its refresh token may have been used, so it is not sent again\): run `mcp-twin login docs`\./;

/** Kill it: SIGKILL, or SIGTERM (a stopped process gets it once it is let go on). */
async function kill(a: Running, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  a.child.kill(signal);
  if (signal === "SIGTERM") a.child.kill("SIGCONT");
  await a.exit;
}

/** What B may find after A was killed with SIGKILL at each step (SIGTERM may land a moment later). */
const AFTER_SIGKILL: Record<Step, { renews: boolean; providerSaw: number }> = {
  locked: { renews: true, providerSaw: 1 }, // nothing recorded or sent: B renews
  recorded: { renews: false, providerSaw: 0 }, // maybe sent, for all B can tell: spent
  request: { renews: false, providerSaw: 1 }, // the provider answered a dead relay
  answered: { renews: false, providerSaw: 1 }, // the answer was lost with A
  saved: { renews: true, providerSaw: 1 }, // A stored it: B uses it
};

async function killedAt(stepName: Step, signal: "SIGKILL" | "SIGTERM", cleanups: Cleanups) {
  const { fx, m } = await loggedIn(cleanups);
  const first = stored(m).tokens.refresh_token;
  makeDue(m);
  // Relay A renews as it starts (its token is due), and stops itself at the step (or, during the
  // request, the provider holds the answer until A is dead).
  let release = () => {};
  let arrived = () => {};
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  if (stepName === "request")
    fx.holdRefresh = () => {
      arrived();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
  const env = stepName === "request" ? m.env : stoppingAt(m.env, stepName);
  const a = start(["connect", fx.url, "--auth", "docs"], env, cleanups);
  if (stepName === "request") await arrival;
  else await untilStopped(a.child.pid!);
  await kill(a, signal);
  // The provider answers the dead relay's request (and rotates its refresh token).
  release();
  fx.holdRefresh = undefined;
  if (stepName === "request") while (fx.stats.refreshes < 1) await new Promise((r) => setTimeout(r, 20));

  // Relay B: a client session, as the client starts it again.
  const b = await session(cleanups, fx, m).then(
    async (s) => ({ answer: await echo(s.client, "after"), error: "" }),
    (e: Error) => ({ answer: "", error: e.message }),
  );
  expect(fx.stats.resent).toBe(0);
  expect(fx.stats.reuse).toBe(0);
  if (b.error) {
    expect(b.error).toMatch(NEEDS_LOGIN);
    const login = stored(m);
    expect(login.tokens.refresh_token).toBe(first);
    expect(login.failure).toMatchObject({ revoked: true, spent: true });
    expect(existsSync(path.join(m.paths.home, "oauth", "docs.renewing"))).toBe(false);
  } else expect(b.answer).toBe("after");
  return { fx, m, renewed: b.error === "" };
}

describe.concurrent("SIGKILL at each step: the provider never sees a refresh token twice", () => {
  test.for(["locked", "recorded", "request", "answered", "saved"] as const)(
    "%s",
    { timeout: 60_000 },
    async (stepName, { onTestFinished }) => {
      const cleanups = cleanupsOf(onTestFinished);
      const { fx, m, renewed } = await killedAt(stepName, "SIGKILL", cleanups);
      const expected = AFTER_SIGKILL[stepName];
      expect(renewed).toBe(expected.renews);
      expect(fx.stats.refreshRequests).toBe(expected.providerSaw);
      if (!renewed) {
        // Said plainly, in status too; a new login works.
        const status = await m.run(["status"]);
        expect(status.stdout).toMatch(
          /✖ docs: renewing the login fails \(a renewal was interrupted.*\): run `mcp-twin login docs`/,
        );
        expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
        const again = await session(cleanups, fx, m);
        expect(await echo(again.client, "again")).toBe("again");
      }
    },
  );
});

describe.concurrent("SIGTERM at each step: the provider never sees a refresh token twice", () => {
  test.for(["locked", "recorded", "request", "answered", "saved"] as const)(
    "%s",
    { timeout: 60_000 },
    async (stepName, { onTestFinished }) => {
      await killedAt(stepName, "SIGTERM", cleanupsOf(onTestFinished));
    },
  );
});

test("a renewal whose process froze (its lock went stale) is waited out: the next relay uses the tokens it stored, and sends nothing", async ({
  onTestFinished,
}) => {
  const cleanups = cleanupsOf(onTestFinished);
  const { fx, m } = await loggedIn(cleanups);
  makeDue(m);
  const a = start(["connect", fx.url, "--auth", "docs"], stoppingAt(m.env, "recorded"), cleanups);
  await untilStopped(a.child.pid!);
  // B starts; once A's lock is stale (A stopped refreshing it), B takes it and finds A's renewal.
  const b = start(["connect", fx.url, "--auth", "docs"], m.env, cleanups);
  const owner = path.join(m.paths.home, "oauth", "docs.lock.owner");
  const holder = () => {
    try {
      return (JSON.parse(readFileSync(owner, "utf8")) as { pid: number }).pid;
    } catch {
      return undefined;
    }
  };
  while (holder() !== b.child.pid) await new Promise((r) => setTimeout(r, 50));
  // A goes on: sends, stores; B, waiting on the outcome, takes what A stored.
  a.child.kill("SIGCONT");
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  };
  b.child.stdin!.write(`${JSON.stringify(init)}\n`);
  expect(await b.says(/"serverInfo":\{"name":"mcp-twin-oauth-fixture"/)).toBe(true);
  expect(fx.stats.refreshRequests).toBe(1);
  expect(fx.stats.resent).toBe(0);
  expect(stored(m).failure).toBeUndefined();
}, 60_000);
