/**
 * Gemini CLI withholds variables named like secrets from the servers it starts: doctor starts its
 * entries with that environment (a real handshake with the fixture server, which needs FIXTURE_TOKEN),
 * fails one that relies on an inherited token and names it; the manifest's env then puts its value
 * in Gemini's entry and the handshake passes. Also the filter itself, and sync on a project file.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { geminiServerEnv, geminiWithholds } from "../../src/core/clients/gemini-env.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

const TOKEN = "fx-gemini-token-5555555555";
type Check = { id: string; server?: string; client?: string; status: string; message: string; fix?: string };

describe("Gemini CLI's environment for a server (its environmentSanitization, 0.61.0)", () => {
  test("names like secrets and secret-looking values are withheld; the always-passed ones are not", () => {
    const env = geminiServerEnv({
      PATH: "/bin",
      HOME: "/home/u",
      FIXTURE_TOKEN: "x",
      OPENAI_API_KEY: "x",
      MY_SECRET: "x",
      GH_AUTH: "x",
      SSL_CERT_FILE: "/etc/ssl",
      DATABASE_URL: "postgres://x",
      PLAIN: "ok",
      URL_WITH_LOGIN: "https://user:pw@host/",
      GEMINI_CLI_TOKEN_THING: "kept",
      LANG: "C",
    });
    expect(env).toEqual({
      GEMINI_CLI: "1",
      PATH: "/bin",
      HOME: "/home/u",
      PLAIN: "ok",
      GEMINI_CLI_TOKEN_THING: "kept",
      LANG: "C",
    });
  });

  test("its settings' security.environmentVariableRedaction lists: allowed passes a name, blocked withholds one", () => {
    const settings = {
      security: { environmentVariableRedaction: { allowed: ["fixture_token"], blocked: ["PLAIN"] } },
    };
    expect(geminiServerEnv({ FIXTURE_TOKEN: "x", PLAIN: "y", OTHER: "z" }, settings)).toEqual({
      GEMINI_CLI: "1",
      FIXTURE_TOKEN: "x",
      OTHER: "z",
    });
  });

  test("in GitHub Actions (GITHUB_SHA) only the always-passed ones are", () => {
    expect(geminiServerEnv({ GITHUB_SHA: "abc", PATH: "/bin", PLAIN: "x" })).toEqual({
      GEMINI_CLI: "1",
      PATH: "/bin",
    });
    expect(geminiWithholds("token_lower", "x", false)).toBe(true);
    expect(geminiWithholds("TERM", "-----BEGIN CERTIFICATE-----", false)).toBe(true);
  });
});

describe("doctor starts a Gemini CLI entry as Gemini does", () => {
  function machine(server: Record<string, unknown>): FakeMachine {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    mkdirSync(path.join(m.paths.linuxHome, ".gemini"), { recursive: true });
    writeManifest(m, { servers: { fx: server } });
    return m;
  }
  const launch = () => ({
    command: process.execPath,
    args: [inject("fixtureScript"), "--need-env", "FIXTURE_TOKEN"],
  });
  const handshake = async (m: FakeMachine) => {
    const r = await m.run(["doctor", "--json", "--client", "gemini-cli", "--server", "fx"], {
      env: { FIXTURE_TOKEN: TOKEN },
      timeoutMs: 120_000,
    });
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    return checks.find((c) => c.id === "probe.handshake" && c.server === "fx");
  };

  test("a server relying on an inherited FIXTURE_TOKEN fails, named; the manifest's env makes it pass", async () => {
    const m = machine(launch());
    expect((await m.run(["sync"], { env: { FIXTURE_TOKEN: TOKEN } })).code).toBe(0);
    const before = await handshake(m);
    expect(before?.status).toBe("fail");
    expect(before?.fix).toContain(
      "Gemini CLI does not pass variables named like secrets to a server it starts: it withheld FIXTURE_TOKEN, which its error names.",
    );
    expect(before?.fix).toContain(
      'add it to the manifest\'s "fx" env (`"FIXTURE_TOKEN": "${env:FIXTURE_TOKEN}"`)',
    );

    writeManifest(m, { servers: { fx: { ...launch(), env: { FIXTURE_TOKEN: "${env:FIXTURE_TOKEN}" } } } });
    const sync = await m.run(["sync"], { env: { FIXTURE_TOKEN: TOKEN } });
    expect(sync.code, sync.stderr).toBe(0);
    const settings = JSON.parse(
      readFileSync(path.join(m.paths.linuxHome, ".gemini", "settings.json"), "utf8"),
    );
    expect(settings.mcpServers.fx.env).toEqual({ FIXTURE_TOKEN: TOKEN });
    expect((await handshake(m))?.status).toBe("pass");
  }, 240_000);

  test("a FIXTURE_TOKEN Gemini's settings allow is passed on: the handshake passes", async () => {
    const m = machine(launch());
    const file = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    writeFileSync(
      file,
      JSON.stringify({ security: { environmentVariableRedaction: { allowed: ["FIXTURE_TOKEN"] } } }),
    );
    expect((await m.run(["sync"], { env: { FIXTURE_TOKEN: TOKEN } })).code).toBe(0);
    expect((await handshake(m))?.status).toBe("pass");
  }, 240_000);

  test("a project file's ${FIXTURE_TOKEN} is said at sync: Gemini expands it empty", async () => {
    const m = machine({ ...launch(), env: { FIXTURE_TOKEN: "${env:FIXTURE_TOKEN}" } });
    const project = path.join(m.root, "proj");
    mkdirSync(project, { recursive: true });
    const r = await m.run(["sync", "--project", project, "--client", "gemini-cli"], {
      env: { FIXTURE_TOKEN: TOKEN },
      cwd: project,
    });
    expect(r.stdout + r.stderr).toContain(
      "Gemini CLI neither passes FIXTURE_TOKEN to a server nor expands ${…} with it",
    );
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  }, 120_000);
});
