/**
 * doctor on Codex's config.toml: a file that does not parse is a finding with its line and column;
 * each entry is started as Codex starts it (its allow-listed environment plus `env` and the
 * variables named in `env_vars`) and its start-up is measured against `startup_timeout_sec`
 * (10 s when unset); a variable Codex should pass on but is not set is named.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { doctor, one } from "./helpers.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function machineWith(config: string): { m: FakeMachine; server: string; file: string } {
  const m = createFakeMachine({});
  machines.push(m);
  const server = path.join(m.paths.linuxHome, "fixture.mjs");
  copyFileSync(inject("fixtureScript"), server);
  const file = path.join(m.paths.linuxHome, ".codex", "config.toml");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, config.replaceAll("SERVER", server).replaceAll("NODE", process.execPath));
  return { m, server, file };
}

describe("doctor reads Codex's config.toml", () => {
  test("two entries running one package (one by hand with npx, one installed) are named: Codex loads it twice", async () => {
    const { m, file } = machineWith(`[mcp_servers.memory]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory@2025.4.25"]

[mcp_servers.server-memory]
command = "NODE"
args = ["/home/bob/.npm-global/lib/node_modules/@modelcontextprotocol/server-memory/dist/index.js"]

[mcp_servers.other]
command = "NODE"
args = ["SERVER"]
`);
    const run = await doctor(m, ["--client", "codex", "--no-probe"]);
    const same = one(run, "config.same-package", { client: "codex" });
    expect(same.status).toBe("warn");
    expect(same.message).toBe(
      `memory and server-memory in ${file} both run @modelcontextprotocol/server-memory: Codex starts it twice and loads its tools twice.`,
    );
  });

  test("start-up against startup_timeout_sec: a slow server fails where Codex gives up, passes with time", async () => {
    const { m } = machineWith(`[mcp_servers.slow]
command = "NODE"
args = ["SERVER", "--slow", "1500"]
startup_timeout_sec = 1

[mcp_servers.quick]
command = "NODE"
args = ["SERVER"]
`);
    const run = await doctor(m, ["--client", "codex", "--timeout", "5"]);
    const slow = one(run, "probe.startup", { client: "codex", server: "slow" });
    expect(slow.status).toBe("fail");
    // Under load the fixture's slowed answer to server/discover can come after doctor stops waiting
    // for it; the message then says how much of the start-up that wait was.
    expect(slow.message).toMatch(
      /start-up took \d+\.\d s( \(\d+\.\d s of it waiting for an answer to server\/discover\))?; its client allows 1\.0 s, so it gives up first/,
    );
    const quick = one(run, "probe.startup", { client: "codex", server: "quick" });
    expect(quick.status).toBe("pass");
    expect(quick.message).toMatch(/its client allows 10 s/);
    expect(one(run, "probe.handshake", { client: "codex", server: "quick" }).status).toBe("pass");
  });

  test("without --timeout doctor waits as long as Codex does: a server slower than doctor's own wait that Codex allows longer is not failed", async () => {
    // Doctor's own wait set to 1 s (MCP_TWIN_PROBE_TIMEOUT, what 10 s is by default), so a server
    // slower than it need not take 10 s: `slow` takes 2.1 s, which Codex allows (4 s; over half of
    // it, a warning); `hung` never answers and Codex allows it 1 s, so doctor gives up on it at its
    // own 1 s, not 10.
    const { m } = machineWith(`[mcp_servers.slow]
command = "NODE"
args = ["SERVER", "--slow", "2100"]
startup_timeout_sec = 4

[mcp_servers.hung]
command = "NODE"
args = ["SERVER", "--hang"]
startup_timeout_sec = 1
`);
    const run = await doctor(m, ["--client", "codex"], { env: { MCP_TWIN_PROBE_TIMEOUT: "1" } });
    const handshake = one(run, "probe.handshake", { client: "codex", server: "slow" });
    expect(handshake.status, handshake.message).toBe("pass");
    const startup = one(run, "probe.startup", { client: "codex", server: "slow" });
    expect(startup.status).toBe("warn");
    expect(startup.message).toMatch(/over half of the 4\.0 s its client allows/);
    const hung = one(run, "probe.handshake", { client: "codex", server: "hung" });
    expect(hung.status).toBe("fail");
    expect(hung.message).toMatch(/within 1 s/);
  }, 120_000);

  test("env_vars: the server gets the variable from Codex's environment, and doctor says when it is not set", async () => {
    const { m } = machineWith(`[mcp_servers.keyed]
command = "NODE"
args = ["SERVER"]
env_vars = ["FIXTURE_TOKEN"]
`);
    const unset = await doctor(m, ["--client", "codex"]);
    const ref = one(unset, "entry.reference", { client: "codex", server: "keyed" });
    expect(ref.status).toBe("fail");
    expect(ref.message).toMatch(/FIXTURE_TOKEN is not set where Codex starts, so the server does not get it/);
    const set = await doctor(m, ["--client", "codex"], { env: { FIXTURE_TOKEN: "fx-0123456789" } });
    expect(set.checks.filter((c) => c.id === "entry.reference" && c.status === "fail")).toEqual([]);
    expect(one(set, "probe.handshake", { client: "codex", server: "keyed" }).status).toBe("pass");
  });

  test("a file Codex cannot read is a config.parse failure at its line and column", async () => {
    const { m, file } = machineWith(
      'model = "gpt-5"\n\n[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.a]\ncommand = "y"\n',
    );
    const run = await doctor(m, ["--client", "codex", "--no-probe"]);
    const c = one(run, "config.parse", { client: "codex", env: "wsl:Ubuntu" });
    expect(c.status).toBe("fail");
    expect(c.message).toContain(
      `${file}:6:14: defining a key multiple times is invalid; Codex cannot read the file at all.`,
    );
    expect(c.fix).toMatch(/config\.toml:6:14 \(defining a key multiple times is invalid\)/);
    expect(run.code).toBe(1);
  });

  test("an inline bearer_token (Codex refuses the whole file) is an entry.shape failure", async () => {
    const { m } = machineWith('[mcp_servers.api]\nurl = "https://api.example/mcp"\nbearer_token = "abc"\n');
    const run = await doctor(m, ["--client", "codex", "--no-probe"]);
    const c = one(run, "entry.shape", { client: "codex", server: "api" });
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/bearer_token_env_var/);
  });
});
