/**
 * The user contract: the `--json` shapes of the spec, the error envelope, exit codes, and secrets
 * that never appear in any output or in state.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { z } from "zod";
import {
  createFakeMachine,
  type FakeMachine,
  REPO,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-5f4e3d2c1b0a9988";
let m: FakeMachine;

beforeAll(async () => {
  m = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(m, {
    servers: {
      fixture: {
        package: `${inject("fixtureName")}@1.0.0`,
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
      remote: {
        url: "https://mcp.example.com/mcp",
        headers: { Authorization: "Bearer ${secret:FIXTURE_TOKEN}" },
        // Its entry in each client (these tests read its shapes), not the gateway's.
        share: "off",
      },
    },
  });
  writeSecrets(m, { FIXTURE_TOKEN: SECRET });
}, 60_000);
afterAll(() => m?.cleanup());

const syncSchema = z.strictObject({
  // Every report names the manifest it used (a project's ./mcp-twin.jsonc drives only its files).
  manifest: z.strictObject({ path: z.string(), scope: z.enum(["user", "project"]) }),
  environments: z.array(
    z.strictObject({
      id: z.string(),
      node: z.string().nullable(),
      npmPrefix: z.string().nullable(),
      usable: z.boolean(),
      reason: z.string().optional(),
      fix: z.string().optional(),
    }),
  ),
  noClient: z.array(z.string()).optional(),
  // Packages mcp-twin installed that no manifest server uses now (sync --prune removes them).
  unused: z.array(z.strictObject({ env: z.string(), package: z.string(), version: z.string() })).optional(),
  installs: z.array(
    z.strictObject({
      env: z.string(),
      package: z.string(),
      version: z.string(),
      action: z.enum(["installed", "updated", "present", "removed", "failed", "planned"]),
      error: z.string().optional(),
    }),
  ),
  targets: z.array(
    z.strictObject({
      env: z.string(),
      client: z.string(),
      scope: z.enum(["user", "project"]),
      path: z.string(),
      action: z.enum(["created", "updated", "unchanged", "skipped", "failed"]),
      added: z.array(z.string()),
      updated: z.array(z.string()),
      removed: z.array(z.string()),
      drift: z.array(z.string()),
      foreign: z.array(z.string()).optional(),
      note: z.string().optional(),
      warnings: z.array(z.string()).optional(),
      // url servers this client takes only through mcp-twin's relay, and where the relay runs.
      relays: z
        .array(
          z.strictObject({
            server: z.string(),
            runsIn: z.string(),
            why: z.enum(["stdio-only", "no-sse", "login"]),
          }),
        )
        .optional(),
    }),
  ),
  errors: z.array(z.strictObject({ code: z.string(), message: z.string(), target: z.string().optional() })),
  warnings: z.array(z.strictObject({ code: z.string(), message: z.string() })).optional(),
  references: z.array(z.string()).optional(),
  // Tool rules some entry lacks: one per server, its clients, and why (not listed yet, no field).
  toolRules: z
    .array(
      z.strictObject({
        server: z.string(),
        clients: z.array(z.string()),
        state: z.enum(["not-yet", "not-kept"]),
        message: z.string(),
      }),
    )
    .optional(),
  // What sync did to the pins (safety.md): servers pinned now, updates approved, changes waiting,
  // servers it could not list for their first pins and why.
  pins: z
    .strictObject({
      pinned: z.array(z.strictObject({ server: z.string(), tools: z.number() })),
      updated: z.array(z.looseObject({ server: z.string() })),
      unapproved: z.array(z.looseObject({ server: z.string(), held: z.boolean() })),
      unlisted: z.array(z.strictObject({ server: z.string(), why: z.string() })).optional(),
      toList: z.array(z.string()).optional(),
    })
    .optional(),
  restart: z.strictObject({
    apps: z.array(z.string()),
    running: z.array(z.string()).nullable(),
    sessions: z.array(z.string()),
  }),
});

const everything: Array<{ args: string[]; out: string }> = [];
async function run(...args: string[]) {
  const r = await m.run(args);
  everything.push({ args, out: r.stdout + r.stderr });
  return r;
}

describe("--json", () => {
  test("sync --json is one document of the spec's shape, and nothing else on stdout", async () => {
    const r = await run("sync", "--json");
    expect(r.code).toBe(0);
    const report = syncSchema.parse(JSON.parse(r.stdout));
    expect(report.targets.map((t) => t.client).sort()).toEqual(["claude-code", "claude-desktop", "cursor"]);
    expect(r.stderr).toBe("");
  });

  test("remote servers: url + headers where the client can, a connect relay for Claude Desktop", () => {
    const code = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    expect(code).toEqual({
      type: "http",
      url: "https://mcp.example.com/mcp",
      headers: { Authorization: `Bearer ${SECRET}` },
    });
    const desktop = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.remote;
    expect(desktop.command).toBe("wsl.exe");
    expect(desktop.args).toEqual([
      "-d",
      "Ubuntu",
      "--exec",
      process.execPath,
      "--v8-pool-size=1",
      expect.stringMatching(/mcp-twin\.js$/),
      "connect",
      "https://mcp.example.com/mcp",
      "--header",
      "Authorization:${MCP_TWIN_HEADER_0}", // no space: Claude Desktop splits arguments at spaces
    ]);
    expect(desktop.env).toEqual({ MCP_TWIN_HEADER_0: `Bearer ${SECRET}`, WSLENV: "MCP_TWIN_HEADER_0/u" });
    expect(desktop.args.join(" ")).not.toContain(SECRET);
  });

  test("status --json rows", async () => {
    const r = await run("status", "--json");
    const rows = z
      .array(
        z.object({
          server: z.string(),
          env: z.string(),
          client: z.string(),
          scope: z.string(),
          state: z.enum(["synced", "missing", "drifted", "foreign", "stale"]),
        }),
      )
      .parse(JSON.parse(r.stdout));
    expect(rows.every((row) => row.state === "synced")).toBe(true);
    expect(rows).toHaveLength(6);
  });

  test("status --json is the array commands.md documents: its rows have the keys it names, no others", async () => {
    const doc = readFileSync(path.join(REPO, "docs", "commands.md"), "utf8");
    const said = /- `status --json`: the document is a JSON array[\s\S]*?`\{ ([^}]+) \}`/.exec(doc);
    expect(said, "commands.md describes status --json's rows").not.toBeNull();
    const keys = said![1]!.split(",").map((k) => k.trim());
    const required = keys.filter((k) => !k.endsWith("?"));
    const allowed = new Set(keys.map((k) => k.replace(/\?$/, "")));
    // A machine whose entries are not written yet: its rows carry `detail`.
    const fresh = createFakeMachine({ registryUrl: inject("registryUrl") });
    try {
      writeManifest(fresh, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
      const rows = JSON.parse((await fresh.run(["status", "--json"])).stdout) as Array<
        Record<string, unknown>
      >;
      expect(Array.isArray(rows)).toBe(true);
      expect(rows.some((row) => row.detail !== undefined)).toBe(true);
      for (const row of [...rows, ...(JSON.parse((await run("status", "--json")).stdout) as typeof rows)]) {
        for (const k of Object.keys(row)) expect(allowed.has(k), `${k} is documented`).toBe(true);
        for (const k of required) expect(row, k).toHaveProperty(k);
      }
    } finally {
      fresh.cleanup();
    }
  });

  test("an exit-2 error is still one JSON document: { errors: [{ code, message, file, line, column, hint }] }", async () => {
    const broken = '{\n  "mcpServers": {\n    "x": 1,,\n  }\n}';
    const keep = readFileSync(m.paths.cursorConfig, "utf8");
    writeFileSync(m.paths.cursorConfig, broken);
    const r = await run("sync", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: "config-parse",
          message: expect.stringContaining("3:12: property name expected"),
          file: m.paths.cursorConfig,
          line: 3,
          column: 12,
          // what to do, as a terminal shows it under the message
          hint: expect.stringMatching(/^Fix it by hand at .*:3:12 \(property name expected\)[.;]/),
        },
      ],
    });
    writeFileSync(m.paths.cursorConfig, keep);
  });

  test("bad usage exits 2 with the envelope too", async () => {
    const r = await run("sync", "--json", "--env", "mars");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors[0].code).toBe("bad-env");
    const unknown = await run("sync", "--json", "--frobnicate");
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).errors[0].code).toBe("unknownOption");
  });

  test("for people, bad usage is said once, with where to look", async () => {
    for (const args of [["sync", "--frobnicate"], ["frobnicate"]]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^✖ unknown (option '--frobnicate'|command 'frobnicate')$/);
      // A known command's error points at its own help; an unknown command at the program's.
      expect(lines[1]).toContain(args[0] === "sync" ? "mcp-twin sync --help" : "mcp-twin --help");
    }
  });
});

describe("secrets", () => {
  test("never appear in any output of any command", async () => {
    await run("sync", "--dry-run", "--force");
    await run("sync", "--verbose");
    await run("status");
    await run("restore", "--dry-run");
    await run("uninstall", "--dry-run");
    await run("uninstall", "--dry-run", "--json");
    await run("sync", "--dry-run", "--json", "--force");
    expect(everything.length).toBeGreaterThan(8);
    for (const { args, out } of everything)
      expect({ args, leaked: out.includes(SECRET) }).toEqual({ args, leaked: false });
  });

  test("state holds hashes, not values; the secrets file and backups are private", () => {
    expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).not.toContain(SECRET);
    expect(statSync(path.join(m.paths.home, "secrets.json")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(m.paths.home, "state.json")).mode & 0o777).toBe(0o600);
    // configs that mcp-twin created hold resolved keys: they are private too
    expect(statSync(m.paths.cursorConfig).mode & 0o777).toBe(0o600);
  });
});
