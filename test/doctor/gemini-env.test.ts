/**
 * Gemini CLI withholds variables named like secrets from the servers it starts: doctor starts its
 * entries with that environment (a real handshake with the fixture server, which needs FIXTURE_TOKEN),
 * fails one that relies on an inherited token and names it; the manifest's env then puts its value
 * in Gemini's entry and the handshake passes. A failure those variables do not explain (a server
 * that exits whatever it is given) gets the fix Codex's same entry gets, with what Gemini withheld
 * said after it. Also the filter itself,
 * and sync on a project file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { geminiServerEnv, geminiWithholds } from "../../src/core/clients/gemini-cli.js";
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
      "Gemini CLI does not pass variables named like secrets to a server it starts: it withheld FIXTURE_TOKEN, which its error names. If the server needs one,",
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

/** echo as a program (the fake machine's PATH has none): it prints its argument and exits 0. */
const ECHO = ["/bin/echo", "/usr/bin/echo"].find((p) => existsSync(p)) ?? "/bin/echo";

describe("doctor blames the variables Gemini CLI withholds only for a failure they explain", () => {
  type Probe = Check & { command?: { line: string } };
  function machineWith(entries: Record<string, unknown>): FakeMachine {
    const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
    machines.push(m);
    writeManifest(m, { servers: {} });
    const gemini = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    mkdirSync(path.dirname(gemini), { recursive: true });
    writeFileSync(gemini, JSON.stringify({ mcpServers: entries }, null, 2));
    const codex = path.join(m.paths.linuxHome, ".codex", "config.toml");
    mkdirSync(path.dirname(codex), { recursive: true });
    writeFileSync(
      codex,
      Object.entries(entries)
        .map(
          ([name, e]) =>
            `[mcp_servers.${name}]\ncommand = ${JSON.stringify((e as { command: string }).command)}\nargs = ${JSON.stringify((e as { args: string[] }).args)}\n`,
        )
        .join("\n"),
    );
    return m;
  }
  /** Each server's probe.handshake finding, per client. */
  const probes = async (m: FakeMachine) => {
    const r = await m.run(["doctor", "--json"], { env: { FIXTURE_TOKEN: TOKEN }, timeoutMs: 120_000 });
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    const checks = (JSON.parse(r.stdout) as { checks: Probe[] }).checks;
    return (server: string, client: string) =>
      checks.find((c) => c.id === "probe.handshake" && c.server === server && c.client === client);
  };

  /** The failure's own fix and, after it, what Gemini CLI withheld: said, not blamed. */
  const ALSO =
    / Gemini CLI also withheld [^;]*FIXTURE_TOKEN[^;]* from it \(named like secrets\); if the server needs one, set it in the entry's "env" in Gemini CLI's config\.$/;

  test("a server that prints a line and exits, and one that exits with its own error: the fix Codex's same entry gets, then what was withheld", async () => {
    const m = machineWith({
      mine: { command: ECHO, args: ["hi"] },
      quits: { command: process.execPath, args: [inject("fixtureScript"), "--exit", "3"] },
    });
    const found = await probes(m);
    for (const server of ["mine", "quits"]) {
      const gemini = found(server, "gemini-cli");
      const codex = found(server, "codex");
      expect(gemini?.status, server).toBe("fail");
      const own = codex?.fix?.replaceAll("Codex", "Gemini CLI") ?? "";
      expect(own, server).not.toBe("");
      expect(gemini?.fix?.startsWith(`${own} `), server).toBe(true);
      expect(gemini?.fix?.slice(own.length), server).toMatch(ALSO);
      expect(gemini?.fix, server).not.toMatch(/does not pass variables/);
    }
    expect(found("mine", "gemini-cli")?.fix).toMatch(
      /^Start it by hand \(the command above\) to see what it prints; its arguments and variables are in its entry in Gemini CLI's config\. /,
    );
  }, 240_000);

  test("a server that exits without a word unless FIXTURE_TOKEN is set: told what was withheld, never handed it", async () => {
    // sh ends at once (exit 1, nothing printed) without the token, else runs the fixture server:
    // doctor starts it only as Gemini CLI does, never handing it what Gemini withholds.
    const m = machineWith({
      quiet: {
        command: "sh",
        args: [
          "-c",
          '[ -n "$FIXTURE_TOKEN" ] || exit 1; exec "$0" "$@"',
          process.execPath,
          inject("fixtureScript"),
        ],
      },
    });
    const found = await probes(m);
    const gemini = found("quiet", "gemini-cli");
    expect(gemini?.status).toBe("fail");
    expect(gemini?.fix).toMatch(/^Start it by hand \(the command above\) to see what it prints;/);
    expect(gemini?.fix).toMatch(ALSO);
  }, 240_000);
});
