/**
 * The real Gemini CLI judges the entries sync writes (opt-in, see test/helpers/gemini-cli.ts): in a
 * trusted folder, `gemini mcp list` reports every entry connected — the fixture server that needs
 * FIXTURE_TOKEN included: relying on the inherited variable it is disconnected, as doctor says;
 * then sync writes the value doctor found it needs (no manifest edit), or the manifest's env does.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { geminiCli, geminiMcpList, trustFolder } from "../helpers/gemini-cli.js";

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
      args: [inject("fixtureScript"), "--need-env", "FIXTURE_TOKEN"],
    };
    const env = { ...m.env, FIXTURE_TOKEN: TOKEN };

    writeManifest(m, {
      servers: { plain: { command: process.execPath, args: [inject("fixtureScript")] }, token: needs },
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
        plain: { command: process.execPath, args: [inject("fixtureScript")] },
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
});
