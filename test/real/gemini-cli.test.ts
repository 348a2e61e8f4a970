/**
 * The real Gemini CLI judges the entries sync writes (opt-in, see test/helpers/gemini-cli.ts): in a
 * trusted folder, `gemini mcp list` reports every entry connected — the fixture server that needs
 * FIXTURE_TOKEN included: relying on the inherited variable it is disconnected, as doctor says;
 * then sync writes the value doctor found it needs (no manifest edit), or the manifest's env does.
 * And the tool rules sync writes (`includeTools`, `excludeTools` expanded from the server's list):
 * one turn against a stand-in for the Gemini API shows the tools the CLI offers the model.
 * Shared servers: their url entries to the gateway (a client token in the header, in a file no one
 * else reads) are reported connected, and a project server's `${PWD}` header is expanded by Gemini
 * CLI into the folder it runs in.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import {
  GEMINI_STAND_IN_SETTINGS,
  geminiCli,
  geminiMcpList,
  geminiOfferedTools,
  startGeminiStandIn,
  trustFolder,
} from "../helpers/gemini-cli.js";
import { freePort } from "../helpers/net.js";

const cli = geminiCli();
const skip = "reason" in cli ? cli.reason : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`real Gemini CLI tests skipped: ${skip}`);
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const TOKEN = "fx-real-gemini-7777777777";

describe.skipIf(skip !== undefined)(`real Gemini CLI${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("`gemini mcp list` reports every entry sync wrote connected; an inherited token is not passed", async () => {
    if ("reason" in cli) return;
    const m: FakeMachine = createFakeMachine({
      kind: "linux",
      claudeDesktop: false,
      cursor: false,
      claudeCode: false,
    });
    cleanups.push(() => m.cleanup());
    const project = path.join(m.root, "work");
    mkdirSync(project, { recursive: true });
    trustFolder(m.paths.linuxHome, project);
    const needs = {
      command: process.execPath,
      args: [inject("fixtureSdkScript"), "--need-env", "FIXTURE_TOKEN"],
    };
    const env = { ...m.env, FIXTURE_TOKEN: TOKEN };

    writeManifest(m, {
      servers: { plain: { command: process.execPath, args: [inject("fixtureSdkScript")] }, token: needs },
    });
    expect((await m.run(["sync", "--client", "gemini-cli"], { env })).code).toBe(0);
    const inherited = await geminiMcpList(cli.bin, env, project);
    console.info(`gemini mcp list (${cli.version}), the token inherited:\n${inherited}`);
    expect(inherited).toMatch(/✓ plain: .* - Connected/);
    expect(inherited).toMatch(/✗ token: .* - Disconnected/);
    const doctor = await m.run(["doctor", "--client", "gemini-cli", "--server", "token"], { env });
    expect(doctor.stdout).toContain("it withheld FIXTURE_TOKEN, which its error names");

    // No manifest edit: doctor noted the name, and sync writes its value into the private entry.
    const again = await m.run(["sync", "--client", "gemini-cli"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("token: doctor found it needs FIXTURE_TOKEN");
    const noted = await geminiMcpList(cli.bin, env, project);
    console.info(
      `gemini mcp list (${cli.version}), after doctor and sync, the manifest as it was:\n${noted}`,
    );
    expect(noted).toMatch(/✓ plain: .* - Connected/);
    expect(noted).toMatch(/✓ token: .* - Connected/);
    expect(noted).not.toContain(TOKEN);

    writeManifest(m, {
      servers: {
        plain: { command: process.execPath, args: [inject("fixtureSdkScript")] },
        token: { ...needs, env: { FIXTURE_TOKEN: "${env:FIXTURE_TOKEN}" } },
      },
    });
    expect((await m.run(["sync", "--client", "gemini-cli"], { env })).code).toBe(0);
    const after = await geminiMcpList(cli.bin, env, project);
    console.info(`gemini mcp list (${cli.version}), the token in the entry:\n${after}`);
    expect(after).toMatch(/✓ plain: .* - Connected/);
    expect(after).toMatch(/✓ token: .* - Connected/);
    expect(after).not.toContain("Disconnected");
    expect(after).not.toContain(TOKEN);
  }, 300_000);

  test("tool rules: Gemini CLI offers the model only the tools of the includeTools/excludeTools sync wrote, patterns expanded", async () => {
    if ("reason" in cli) return;
    const m: FakeMachine = createFakeMachine({
      kind: "linux",
      claudeDesktop: false,
      cursor: false,
      claudeCode: false,
    });
    cleanups.push(() => m.cleanup());
    const project = path.join(m.root, "work");
    mkdirSync(project, { recursive: true });
    trustFolder(m.paths.linuxHome, project);
    const settings = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    writeFileSync(settings, JSON.stringify(GEMINI_STAND_IN_SETTINGS, null, 2));
    const fixture = (extra: string[], rules: object) => ({
      command: process.execPath,
      args: [inject("fixtureSdkScript"), ...extra],
      ...rules,
    });
    writeManifest(m, {
      servers: {
        fx: fixture(["--tools", "12"], { clientTools: { "gemini-cli": { deny: ["tool1*"] } } }),
        narrow: fixture([], { tools: { allow: ["echo", "whoami"] } }),
      },
    });
    // One sync: it lists both servers (a handshake, cached) and expands the pattern from it.
    const sync = await m.run(["sync", "--client", "gemini-cli"]);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const listed = await m.run(["tools", "--client", "gemini-cli", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const fxTools = (
      JSON.parse(listed.stdout) as { clients: Array<{ servers: Array<{ server: string; tools: number }> }> }
    ).clients[0]?.servers.find((s) => s.server === "fx")?.tools;
    const written = JSON.parse(readFileSync(settings, "utf8"));
    expect(written.security).toEqual(GEMINI_STAND_IN_SETTINGS.security);
    expect(written.mcpServers.fx.excludeTools).toEqual(["tool1", "tool10", "tool11"]);
    expect(written.mcpServers.narrow.includeTools).toEqual(["echo", "whoami"]);

    const standIn = await startGeminiStandIn();
    cleanups.push(() => standIn.close());
    const offered = await geminiOfferedTools(cli.bin, m.env as Record<string, string>, project, standIn);
    console.info(`gemini -p (${cli.version}) offered the model: ${offered.join(", ")}`);
    const of = (server: string) =>
      offered.filter((t) => t.startsWith(`mcp_${server}_`)).map((t) => t.slice(`mcp_${server}_`.length));
    expect(of("narrow")).toEqual(["echo", "whoami"]);
    const fx = of("fx");
    expect(fx).toHaveLength((fxTools ?? 0) - 3);
    expect(fx).toEqual(expect.arrayContaining(["echo", "whoami", "tool0", "tool2", "tool9"]));
    for (const out of ["tool1", "tool10", "tool11"]) expect(fx).not.toContain(out);
  }, 300_000);

  test("shared servers: `gemini mcp list` reports the url entries to the gateway connected, a project's with its folder", async () => {
    if ("reason" in cli) return;
    const port = await freePort();
    const m: FakeMachine = createFakeMachine({
      kind: "linux",
      registryUrl: inject("registryUrl"),
      claudeDesktop: false,
      cursor: false,
      claudeCode: false,
    });
    cleanups.push(() => m.cleanup());
    const project = path.join(m.root, "work");
    mkdirSync(project, { recursive: true });
    trustFolder(m.paths.linuxHome, project);
    const fixture = inject("fixtureName");
    writeManifest(m, {
      bridge: { port },
      servers: {
        fixture: { package: fixture, share: "machine" },
        perproject: { package: fixture, share: "project" },
      },
    });
    const settings = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    const synced = await m.run(["sync", "--client", "gemini-cli"]);
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    // A file others can read would get the relay: the url entry is what this test is about.
    if (existsSync(settings)) chmodSync(settings, 0o600);
    expect((await m.run(["sync", "--client", "gemini-cli"])).code).toBe(0);
    const written = JSON.parse(readFileSync(settings, "utf8")).mcpServers;
    expect(written.fixture).toMatchObject({ url: `http://127.0.0.1:${port}/share/fixture` });
    const started = await m.run(["bridge", "start", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    cleanups.push(() => m.run(["bridge", "stop"]));
    // Started from a shell, as people start it: the shell sets PWD, which Gemini CLI expands.
    const list = await geminiMcpList(cli.bin, { ...m.env, PWD: project }, project);
    console.info(`gemini mcp list (${cli.version}), shared servers:\n${list}`);
    expect(list).toMatch(/✓ fixture: .* - Connected/);
    expect(list).toMatch(/✓ perproject: .* - Connected/);
    const token = readFileSync(
      path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "token"),
      "utf8",
    ).trim();
    const status = (await (
      await fetch(`http://127.0.0.1:${port}/control/status`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as { shares: Array<{ name: string; children: Array<{ key: string }> }> };
    const keys = status.shares.find((x) => x.name === "perproject")?.children.map((c) => c.key);
    expect(keys).toEqual([`project:${project}`]);
  }, 300_000);
});
