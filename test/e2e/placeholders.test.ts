/**
 * Placeholders never reach a client config: `secret set` refuses them (and values failing the
 * catalogue's format check) without --force, sync stops with exit 2 naming the key, doctor's fix
 * names it — one rule (core/secrets/placeholders.ts) for all of them, and for import and the wizard.
 * And a `${secret:…}` in args, which puts the key in the process list, is warned about.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { checkSecret } from "../../src/core/catalogue/index.js";
import { isPlaceholder, notAKey } from "../../src/core/secrets/placeholders.js";
import { doctor, one, pick } from "../doctor/helpers.js";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-0f1e2d3c4b5a6978";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const TAVILY_FORMAT = { pattern: "^tvly-[A-Za-z0-9_-]{8,}$", example: "tvly-dev-…" };
const configs = (m: FakeMachine) =>
  [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
    existsSync(f) ? readFileSync(f, "utf8") : null,
  );
const secretsText = (m: FakeMachine) => readFileSync(path.join(m.paths.home, "secrets.json"), "utf8");

/** The fixture server, keyed by TAVILY_API_KEY (the catalogue's tavily template gives its format). */
function withTavilyKey(m: FakeMachine, extra: Record<string, unknown> = {}) {
  writeManifest(m, {
    servers: {
      fixture: {
        package: `${inject("fixtureName")}@1.0.0`,
        // Its keys in each client's entry, where these tests look for them.
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}", TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
        ...extra,
      },
    },
  });
}

describe("the one rule", () => {
  test.each([
    "your-key-here",
    "tvly-xxxxxxxxxxxx",
    "tvly-XXXXXXXX-XXXX",
    "tvly-YOUR_API_KEY",
    "<YOUR_API_KEY>",
    "sk-proj-xxxxxxxxxxxxxxxx",
    "YOUR_TAVILY_API_KEY",
    "Bearer your_token_here",
  ])("%j is a placeholder for secret set, sync, doctor, import and the wizard", (value) => {
    expect(notAKey("TAVILY_API_KEY", value)?.kind).toBe("placeholder");
    expect(isPlaceholder(value)).toBe(true);
    expect(checkSecret({ name: "TAVILY_API_KEY", description: "key", ...TAVILY_FORMAT }, value)).toMatch(
      /placeholder/,
    );
  });

  test.each(["tvly-dev-8b2kq9x1m4abcd", "sk-proj-4f9a8b7c6d5e4f3a2b1c", "my-project", "production"])(
    "%j is not",
    (value) => expect(isPlaceholder(value)).toBe(false),
  );

  test("a value failing the catalogue's format is reported without being shown", () => {
    const found = notAKey("TAVILY_API_KEY", "abc123def456ghi", [TAVILY_FORMAT]);
    expect(found).toEqual({ kind: "format", reason: "not in the format of a TAVILY_API_KEY (tvly-dev-…)" });
    expect(notAKey("TAVILY_API_KEY", "tvly-dev-8b2kq9x1m4abcd", [TAVILY_FORMAT])).toBeUndefined();
    expect(notAKey("MODE", "none")).toBeUndefined();
  });
});

describe("secret set", () => {
  test.each(["your-key-here", "tvly-xxxxxxxxxxxx", "tvly-YOUR_API_KEY", "<YOUR_API_KEY>"])(
    "refuses %j without --force (exit 2), stores nothing",
    async (value) => {
      const m = setup();
      const before = secretsText(m);
      const r = await m.run(["secret", "set", "TAVILY_API_KEY"], { input: value });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/TAVILY_API_KEY: the value is a placeholder .*not a key; not stored/);
      expect(secretsText(m)).toBe(before);
    },
  );

  test("applies the catalogue's format check as the wizard does, never echoing the value", async () => {
    const m = setup();
    const before = secretsText(m);
    const r = await m.run(["secret", "set", "TAVILY_API_KEY"], { input: "abc123def456ghi" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not in the format of a TAVILY_API_KEY (tvly-dev-…)");
    expect(r.stderr).toContain("mcp-twin secret set TAVILY_API_KEY --force");
    expect(r.stdout + r.stderr).not.toContain("abc123def456ghi");
    expect(secretsText(m)).toBe(before);
    const good = await m.run(["secret", "set", "TAVILY_API_KEY"], { input: "tvly-dev-8b2kq9x1m4abcd" });
    expect(good.code, good.stderr).toBe(0);
  });
});

describe("sync", () => {
  test("a placeholder stored with --force is never written: exit 2 naming the key, nothing written", async () => {
    const m = setup();
    withTavilyKey(m);
    const forced = await m.run(["secret", "set", "TAVILY_API_KEY", "--force"], { input: "your-key-here" });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/sync will refuse to write it/);
    // Not "Run `mcp-twin sync` to use it" right after saying sync refuses it: what to do instead.
    expect(forced.stdout).not.toContain("to use it");
    expect(forced.stdout).toContain(
      "Store the real key (`mcp-twin secret set TAVILY_API_KEY`) before `mcp-twin sync`.",
    );
    const dry = await m.run(["secret", "set", "TAVILY_API_KEY", "--force", "--dry-run"], {
      input: "your-key-here",
    });
    expect(dry.stderr).toContain("would be stored as you asked (--force)");
    expect(dry.stderr).not.toMatch(/; stored as you asked/);
    const before = configs(m);
    const r = await m.run(["sync", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors).toEqual([
      expect.objectContaining({
        code: "not-a-key",
        message: 'servers.fixture: secret TAVILY_API_KEY is a placeholder ("your-key-here"), not a key.',
      }),
    ]);
    expect(configs(m)).toEqual(before);
    // Also from the environment, and as a literal in the manifest.
    const fromEnv = await m.run(["sync"], { env: { TAVILY_API_KEY: "tvly-YOUR_API_KEY" } });
    expect(fromEnv.code).toBe(2);
    withTavilyKey(m, { env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}", API_KEY: "<YOUR_API_KEY>" } });
    const literal = await m.run(["sync"]);
    expect(literal.code).toBe(2);
    expect(literal.stderr).toContain(
      'servers.fixture: env.API_KEY is a placeholder ("<YOUR_API_KEY>"), not a key.',
    );
    expect(configs(m)).toEqual(before);
  });

  test("a value failing the format: exit 2 with how to accept it; accepted with --force, it is written", async () => {
    const m = setup();
    withTavilyKey(m);
    // Put there by hand (or by an older mcp-twin): not accepted.
    const file = path.join(m.paths.home, "secrets.json");
    const stored = JSON.parse(readFileSync(file, "utf8"));
    stored.secrets.TAVILY_API_KEY = "abc123def456ghi";
    writeFileSync(file, JSON.stringify(stored));
    const before = configs(m);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("secret TAVILY_API_KEY is not in the format of a TAVILY_API_KEY (tvly-dev-…)");
    expect(r.stderr).toContain("mcp-twin secret set TAVILY_API_KEY --force");
    expect(r.stdout + r.stderr).not.toContain("abc123def456ghi");
    expect(configs(m)).toEqual(before);
    const forced = await m.run(["secret", "set", "TAVILY_API_KEY", "--force"], { input: "abc123def456ghi" });
    expect(forced.code).toBe(0);
    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(m.paths.cursorConfig, "utf8")).mcpServers.fixture.env.TAVILY_API_KEY).toBe(
      "abc123def456ghi",
    );
  });
});

describe("doctor", () => {
  test.each(["tvly-xxxxxxxxxxxx", "tvly-YOUR_API_KEY"])(
    "%j fails secrets.placeholder; the fix names the key",
    async (value) => {
      const m = setup();
      withTavilyKey(m);
      const file = path.join(m.paths.home, "secrets.json");
      writeFileSync(
        file,
        JSON.stringify({ version: 1, secrets: { FIXTURE_TOKEN: SECRET, TAVILY_API_KEY: value } }),
      );
      const c = one(await doctor(m, ["--no-probe"]), "secrets.placeholder", { server: "fixture" });
      expect(c.status).toBe("fail");
      expect(c.message).toContain("TAVILY_API_KEY");
      expect(c.fix).toContain("`mcp-twin secret set TAVILY_API_KEY`");
    },
  );
});

describe("a secret in args", () => {
  test("sync writes it but warns (text and --json) with the env alternative; doctor warns too", async () => {
    const m = setup();
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          args: ["--token", "${secret:FIXTURE_TOKEN}"],
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.warnings).toEqual([
      {
        code: "secret-in-args",
        message: expect.stringMatching(
          /^servers\.fixture: secret FIXTURE_TOKEN goes into args\[1\], so anyone on this machine can read it in the process list \(ps\)\. .*"env": \{ "FIXTURE_TOKEN": "\$\{secret:FIXTURE_TOKEN\}" \}/,
        ),
      },
    ]);
    expect(r.stdout).not.toContain(SECRET);
    const text = await m.run(["sync"]);
    expect(text.stdout).toMatch(/FIXTURE_TOKEN goes into args\[1\]/);
    const run = await doctor(m, ["--no-probe"]);
    expect(one(run, "secrets.args", { server: "fixture" }).status).toBe("warn");
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    expect(pick(await doctor(m, ["--no-probe"]), "secrets.args")).toEqual([]);
    expect(JSON.parse((await m.run(["sync", "--json"])).stdout).warnings).toBeUndefined();
  });
});
