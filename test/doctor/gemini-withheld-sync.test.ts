/**
 * A server that needs a variable Gemini CLI withholds (FIXTURE_TOKEN): once doctor found it, sync
 * writes its value into Gemini's private user entry (no manifest edit) and the real handshake, with
 * Gemini's environment, passes; a file others can read gets no value, and sync says what to do.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
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

const TOKEN = "fx-gemini-withheld-6666666666";
const env = { FIXTURE_TOKEN: TOKEN };
type Check = { id: string; server?: string; status: string };

function machine(): { m: FakeMachine; file: string } {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  machines.push(m);
  mkdirSync(path.join(m.paths.linuxHome, ".gemini"), { recursive: true });
  // The server exits unless FIXTURE_TOKEN is in its environment; the manifest does not list it.
  writeManifest(m, {
    servers: {
      fx: { command: process.execPath, args: [inject("fixtureScript"), "--need-env", "FIXTURE_TOKEN"] },
    },
  });
  return { m, file: path.join(m.paths.linuxHome, ".gemini", "settings.json") };
}

/** doctor's handshake with Gemini's entry of fx, started with the environment Gemini gives it. */
async function handshake(m: FakeMachine): Promise<string | undefined> {
  const r = await m.run(["doctor", "--json", "--client", "gemini-cli", "--server", "fx"], {
    env,
    timeoutMs: 120_000,
  });
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
  return checks.find((c) => c.id === "probe.handshake" && c.server === "fx")?.status;
}

describe("sync writes the variables Gemini CLI withholds into its entries", () => {
  test("after doctor found FIXTURE_TOKEN, sync puts its value in the private entry and the handshake passes", async () => {
    const { m, file } = machine();
    expect((await m.run(["sync"], { env })).code).toBe(0);
    expect(await handshake(m)).toBe("fail");

    const sync = await m.run(["sync"], { env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout + sync.stderr).not.toContain(TOKEN);
    expect(sync.stdout).toContain(
      `fx: doctor found it needs FIXTURE_TOKEN, which Gemini CLI withholds from servers: its entry's env carries its value from your environment (${file} is private)`,
    );
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.fx.env).toEqual({ FIXTURE_TOKEN: TOKEN });
    expect(await handshake(m)).toBe("pass");
  }, 240_000);

  test("a settings.json others can read gets no value: sync says why and what to do", async () => {
    const { m, file } = machine();
    writeFileSync(file, "{}\n");
    chmodSync(file, 0o644);
    expect((await m.run(["sync"], { env })).code).toBe(0);
    expect(await handshake(m)).toBe("fail");

    const sync = await m.run(["sync"], { env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(
      `fx: doctor found it needs FIXTURE_TOKEN, which Gemini CLI withholds from servers; sync did not write its value into ${file}, which other users can read: run \`chmod 600 ${file}\` and \`mcp-twin sync\` again, or add it to the manifest's "fx" env (\`"FIXTURE_TOKEN": "\${env:FIXTURE_TOKEN}"\`)`,
    );
    expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
  }, 240_000);
});
