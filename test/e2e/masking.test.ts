/**
 * No secret in any output, old or new (issue 9, item 2): after a key and a header token rotation
 * (`secret set`) and a bridge token rotation (`serve --rotate-token`), the `-` lines of
 * `sync --dry-run` still hold the old key and token in the file — they are masked like the new
 * ones, in every renderer (sync, restore, uninstall previews), with --json and --verbose too.
 * Secrets are recognised by where they sit: a key with no telltale shape, and a hand-written
 * entry's key mcp-twin never knew. (The bridge token itself is in no config: every client reaches
 * the bridge through the connect relay, which reads it where the bridge runs.)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

// No digits, no vendor prefix: only where it sits says it is a key.
const OLD_KEY = "qwertyuiopasdfghjk";
const NEW_KEY = "zxcvbnmlkjhgfdsapo";
const DOCS_TOKEN = "docs-7c1e0b5a9d3f";
const NEW_DOCS_TOKEN = "docs-2f8a6c4e1b9d";
const THEIR_KEY = "plainwordsecret";
const THEIR_BEARER = "abcdefghijklmnopqrstu";
let m: FakeMachine;
let oldToken: string;
let newToken: string;
const outputs: Record<string, { code: number; stdout: string; stderr: string }> = {};

const bridgeDir = () => path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const tokenNow = () => readFileSync(path.join(bridgeDir(), "token"), "utf8").trim();

beforeAll(async () => {
  m = createFakeMachine({ kind: "linux" });
  const port = await freePort();
  writeManifest(m, {
    bridge: { enabled: true, port },
    servers: {
      tool: { command: "uvx", args: ["tool-mcp"], share: "off", env: { TOOL_KEY: "${secret:TOOL_KEY}" } },
      docs: {
        url: "https://docs.example.com/mcp",
        headers: { Authorization: "Bearer ${secret:DOCS_TOKEN}" },
        // Its key in each client's entry, whose diffs these tests read masked.
        share: "off",
      },
    },
  });
  writeSecrets(m, { TOOL_KEY: OLD_KEY, DOCS_TOKEN });
  // A hand-written entry with its own key (never in the secrets file) sits right beside ours.
  writeFileSync(
    m.paths.claudeCodeConfig,
    `${JSON.stringify(
      {
        numStartups: 1,
        mcpServers: {
          theirs: {
            command: "their-server",
            env: { THEIR_KEY },
            headers: { Authorization: `Bearer ${THEIR_BEARER}` },
          },
        },
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
  const first = await m.run(["sync"]);
  expect(first.code, first.stderr).toBe(0);
  oldToken = tokenNow();
  // Rotate both: the files still hold the old values until the next sync.
  expect((await m.run(["secret", "set", "TOOL_KEY"], { input: `${NEW_KEY}\n` })).code).toBe(0);
  expect((await m.run(["secret", "set", "DOCS_TOKEN"], { input: `${NEW_DOCS_TOKEN}\n` })).code).toBe(0);
  expect((await m.run(["serve", "--rotate-token"])).code).toBe(0);
  newToken = tokenNow();
  expect(newToken).not.toBe(oldToken);

  for (const [name, args] of Object.entries({
    "sync --dry-run": ["sync", "--dry-run"],
    "sync --dry-run --verbose": ["sync", "--dry-run", "--verbose"],
    "sync --dry-run --json": ["sync", "--dry-run", "--json"],
    "restore --dry-run": ["restore", "--dry-run"],
    "uninstall --dry-run": ["uninstall", "--dry-run"],
    "restore --list": ["restore", "--list"],
  }))
    outputs[name] = await m.run(args);
  // Apply the rotation, then preview undoing it: old and new side by side.
  outputs.sync = await m.run(["sync", "--verbose"]);
  outputs["restore --dry-run after"] = await m.run(["restore", "--dry-run"]);
  outputs["restore --dry-run --json after"] = await m.run(["restore", "--dry-run", "--json"]);
  outputs["uninstall --dry-run after"] = await m.run(["uninstall", "--dry-run"]);
}, 120_000);

afterAll(() => {
  const serve = path.join(bridgeDir(), "serve.json");
  if (m && existsSync(serve)) {
    try {
      process.kill((JSON.parse(readFileSync(serve, "utf8")) as { pid: number }).pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  m?.cleanup();
});

describe("every output, after a key and a token rotation", () => {
  test("the runs worked", () => {
    for (const [name, r] of Object.entries(outputs)) expect(r.code, `${name}: ${r.stderr}`).toBe(0);
  });

  test.each([
    "sync --dry-run",
    "sync --dry-run --verbose",
    "sync --dry-run --json",
    "restore --dry-run",
    "uninstall --dry-run",
    "restore --list",
    "sync",
    "restore --dry-run after",
    "restore --dry-run --json after",
    "uninstall --dry-run after",
  ])("%s holds no key and no token, old or new", (name) => {
    const r = outputs[name]!;
    const all = r.stdout + r.stderr;
    for (const secret of [
      OLD_KEY,
      NEW_KEY,
      DOCS_TOKEN,
      NEW_DOCS_TOKEN,
      oldToken,
      newToken,
      THEIR_KEY,
      THEIR_BEARER,
    ])
      expect(all, `${name} shows ${secret.slice(0, 4)}…`).not.toContain(secret);
  });

  test("the diffs still show what changes: the key and token lines, masked", () => {
    const dry = outputs["sync --dry-run"]!.stdout;
    expect(dry).toContain('-        "TOOL_KEY": "********"');
    expect(dry).toContain('+        "TOOL_KEY": "********"');
    expect(dry).toContain('-        "Authorization": "********"');
    expect(dry).toContain('+        "Authorization": "********"');
    const undo = outputs["restore --dry-run after"]!.stdout;
    expect(undo).toContain('-        "TOOL_KEY": "********"');
    expect(undo).toContain('+        "TOOL_KEY": "********"');
    expect(undo).toContain('-        "Authorization": "********"');
  });

  test("no config holds the bridge token, old or new: the bridge's entry is a connect relay", () => {
    const config = readFileSync(m.paths.claudeCodeConfig, "utf8");
    const entry = (JSON.parse(config) as { mcpServers: Record<string, { args?: string[] }> }).mcpServers[
      "mcp-twin"
    ];
    expect(entry?.args).toContain("connect");
    for (const token of [oldToken, newToken]) expect(config).not.toContain(token);
  });
});
