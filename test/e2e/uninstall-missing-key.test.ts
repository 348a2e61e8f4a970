/**
 * uninstall gives back an adopted entry whose key its backups keep sealed (ledger/sealed-keys.ts):
 * the key gone from the store leaves `${secret:NAME}` in its place, said in one true note; a locked
 * keychain stops the run before any file is written. Real files; the Secret Service's test runs the
 * built binary (in-process, a second bus in one worker is refused by the native library, which keeps
 * the first: test/secrets/keychain.test.ts's).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  type RunResult,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { type SecretService, startSecretService } from "../helpers/secret-service.js";

const SECRET = "tk-live-8Hq3Zr5Vn1Wc7Jd2";
const handWritten = { command: "uvx", args: ["tool-mcp"], env: { TOOL_KEY: SECRET } };

runInProcessByDefault();

let bus: SecretService;
beforeAll(() => {
  bus = startSecretService();
});
afterAll(() => bus.stop());

type Run = (
  m: FakeMachine,
  args: string[],
  options: { env: Record<string, string>; timeoutMs?: number },
) => Promise<RunResult>;
const inProcess: Run = (m, args, options) => m.run(args, options);
const binary: Run = (m, args, options) => m.runBinary(args, options);

/** ~/.claude.json with a hand-written entry holding its key, imported (so adopted) and synced. */
async function adopted(
  env: Record<string, string>,
  run: Run,
): Promise<{ m: FakeMachine; file: string; text: string }> {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  writeManifest(m, { servers: {} });
  writeSecrets(m, {});
  const file = m.paths.claudeCodeConfig;
  const text = `${JSON.stringify({ numStartups: 4, mcpServers: { tool: handWritten } }, null, 2)}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  for (const args of [["import", "--yes"], ["share", "tool", "off"], ["sync"]]) {
    const r = await run(m, args, { env, timeoutMs: 120_000 });
    expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
  }
  // sync wrote its own form of the entry, the key resolved into it; the backups hold none.
  expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool.type).toBe("stdio");
  expect(holding(path.join(m.paths.home, "backups"), SECRET)).toEqual([]);
  return { m, file, text };
}

/** Files under a folder whose text holds the value. */
function holding(dir: string, value: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((n) => path.join(dir, n))
    .filter((f) => statSync(f).isFile() && readFileSync(f, "latin1").includes(value));
}

test("the key gone from the store: the entry comes back whole with `${secret:TOOL_KEY}` in the key's place, the note says so truly, exit 0", async () => {
  const env = { MCP_TWIN_KEYCHAIN: "off" };
  const { m, file, text } = await adopted(env, inProcess);
  try {
    const rm = await m.run(["secret", "rm", "TOOL_KEY", "--yes"], { env });
    expect(rm.code, rm.stdout + rm.stderr).toBe(0);
    const u = await m.run(["uninstall", "--yes"], { env, timeoutMs: 60_000 });
    const said = u.stdout + u.stderr;
    expect(u.code, said).toBe(0);
    const after = readFileSync(file, "utf8");
    // Whole: the hand-written entry, byte for byte, but for the reference where its key was.
    expect(after).toBe(text.replace(SECRET, "${secret:TOOL_KEY}"));
    expect(JSON.parse(after).mcpServers.tool.env).toEqual({ TOOL_KEY: "${secret:TOOL_KEY}" });
    expect(said).toContain(
      "could not put back the key TOOL_KEY: no longer stored (`mcp-twin secret list`), so the file holds `${secret:TOOL_KEY}` in its place",
    );
    expect(said).not.toContain(SECRET);
    // What stays is true too: secrets.json holds no key now.
    expect(said).toContain("holds the manifest, secrets.json, mcp-twin's records");
    // True: the store has no TOOL_KEY.
    expect((await m.run(["secret", "list"], { env })).stdout).toMatch(/TOOL_KEY +not set/);
    // Nothing lost: the key was in the file mcp-twin had written, and restore puts that file back.
    const r = await m.run(["restore", "--yes"], { env, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.tool.env).toEqual({ TOOL_KEY: SECRET });
  } finally {
    m.cleanup();
  }
}, 300_000);

test("the key in a locked keychain: uninstall stops before writing (exit 1, said, nothing changed); unlocked, it gives the key back", async () => {
  const env = { MCP_TWIN_KEYCHAIN: "", DBUS_SESSION_BUS_ADDRESS: bus.address };
  const { m, file, text } = await adopted(env, binary);
  try {
    expect(bus.items(`mcp-twin:${m.paths.home}`)).toEqual({ TOOL_KEY: SECRET });
    const synced = readFileSync(file, "utf8");
    await bus.lock();
    const u = await m.runBinary(["uninstall", "--yes"], { env, timeoutMs: 60_000 });
    const said = u.stdout + u.stderr;
    expect(u.code, said).toBe(1);
    expect(said).toContain("Your keys are in the OS keychain, and the Secret Service is locked");
    expect(said).toContain("nothing was changed");
    expect(said).not.toContain("could not put back");
    expect(readFileSync(file, "utf8")).toBe(synced);
    await bus.unlock();
    const again = await m.runBinary(["uninstall", "--yes"], { env, timeoutMs: 60_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(again.stdout + again.stderr).not.toContain(SECRET);
    // The key stays in the keychain, said; secrets.json holds none.
    expect(again.stdout).toContain(
      "Your keys, in the Secret Service: `mcp-twin secret rm NAME` removes each.",
    );
    expect(again.stdout).not.toContain("secrets.json (your keys)");
  } finally {
    await bus.unlock().catch(() => undefined);
    m.cleanup();
  }
}, 300_000);
