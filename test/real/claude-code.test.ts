/**
 * The real Claude Code CLI judges the entry of a server behind a login (opt-in, see
 * test/helpers/claude-cli.ts): after `mcp-twin login`, `claude mcp list` starts mcp-twin's relay
 * from ~/.claude.json and reports the server connected; before it, not.
 */
import { afterAll, describe, expect, test } from "vitest";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { claudeCli, claudeMcpList } from "../helpers/claude-cli.js";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";

const cli = claudeCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Claude Code CLI tests skipped: ${skip}`);
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(skip !== undefined)(`real Claude Code CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("`claude mcp list` reports the relay with the login connected, and not before the login", async () => {
    if ("reason" in cli) return;
    const fx: OAuthFixture = await startOAuthFixture();
    cleanups.push(() => fx.close());
    const m: FakeMachine = createFakeMachine({ kind: "linux" });
    cleanups.push(() => m.cleanup());
    writeManifest(m, { servers: { docs: { url: fx.url } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const before = await claudeMcpList(cli.bin, m.env, m.paths.linuxHome);
    expect(before).toMatch(/docs: .*connect .*--auth docs - [✗✘] Failed to connect/);
    expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
    const after = await claudeMcpList(cli.bin, m.env, m.paths.linuxHome);
    expect(after).toMatch(/docs: .*connect .*--auth docs - ✔ Connected/);
  }, 300_000);
});
