/**
 * Names that a plain JavaScript object answers from its prototype (`toString`, `constructor`,
 * `hasOwnProperty`): as a reference, a secret, a server or a dist-tag they must mean nothing more
 * than any other name. And environment variable names the platforms reject are refused up front.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, inject, test } from "vitest";
import type { Environment } from "../../src/core/environments/types.js";
import { resolveString } from "../../src/core/manifest/spec.js";
import { resolveVersion } from "../../src/core/packages/npm-prefix.js";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-71c2d9e04b8a3f65";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const configs = (m: FakeMachine) =>
  [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
    existsSync(f) ? readFileSync(f, "utf8") : null,
  );

async function syncJson(m: FakeMachine) {
  const r = await m.run(["sync", "--json"]);
  return { ...r, report: JSON.parse(r.stdout) };
}

describe("references to prototype names", () => {
  for (const [reference, name, kind] of [
    ["${env:toString}", "toString", "environment variable"],
    ["${secret:constructor}", "constructor", "secret"],
    ["${secret:hasOwnProperty}", "hasOwnProperty", "secret"],
  ] as const) {
    test(`${reference} is an unresolved reference: exit 2 naming it, nothing written`, async () => {
      const m = setup();
      writeManifest(m, {
        servers: {
          fixture: {
            package: `${inject("fixtureName")}@1.0.0`,
            env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}", OTHER: reference },
          },
        },
      });
      const before = configs(m);
      const { code, report, stderr } = await syncJson(m);
      expect(code, stderr).toBe(2);
      expect(report.errors).toEqual([
        expect.objectContaining({
          code: "unresolved-reference",
          message: `servers.fixture: ${kind} ${name} is not set.`,
        }),
      ]);
      expect(configs(m)).toEqual(before);
    });
  }

  test("resolveString looks names up as own properties, whatever object it is given", () => {
    const r = resolveString("a ${env:toString} b ${secret:valueOf}", { secrets: {}, env: {} });
    expect(r.missing).toEqual([
      { kind: "env", name: "toString" },
      { kind: "secret", name: "valueOf" },
    ]);
    expect(r.text).toBe("a ${env:toString} b ${secret:valueOf}");
  });
});

describe("environment variable and header names", () => {
  test('"BAD NAME=1" is refused by the manifest schema: exit 2 at its line and column', async () => {
    const m = setup();
    const file = writeManifest(
      m,
      `{\n  "servers": {\n    "fixture": {\n      "package": "${inject("fixtureName")}@1.0.0",\n      "env": { "BAD NAME=1": "x" }\n    }\n  }\n}\n`,
    );
    const before = configs(m);
    const { code, report } = await syncJson(m);
    expect(code).toBe(2);
    expect(report.errors).toEqual([
      expect.objectContaining({
        code: "manifest-invalid",
        file,
        line: 5,
        column: 16,
        message: expect.stringMatching(
          /servers\.fixture\.env\.BAD NAME=1: is not a valid environment variable name/,
        ),
      }),
    ]);
    expect(configs(m)).toEqual(before);
  });

  test("a header name with a space or colon is refused", async () => {
    const m = setup();
    writeManifest(m, {
      servers: { docs: { url: "https://example.com/mcp", headers: { "X Api: Key": "v" } } },
    });
    const { code, report } = await syncJson(m);
    expect(code).toBe(2);
    expect(report.errors[0].message).toMatch(/headers\.X Api: Key: is not a valid HTTP header name/);
  });
});

describe("servers named like prototype members", () => {
  test("a hand-written `constructor` entry is foreign (not drift) and left alone", async () => {
    const m = setup();
    writeManifest(m, {
      servers: {
        constructor: {
          package: `${inject("fixtureName")}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    const mine = { mcpServers: { constructor: { command: "my-own", args: [] } } };
    writeFileSync(m.paths.cursorConfig, JSON.stringify(mine, null, 2));
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    const cursor = report.targets.find((t: { client: string }) => t.client === "cursor");
    expect(cursor.foreign).toEqual(["constructor"]);
    expect(cursor.drift).toEqual([]);
    expect(JSON.parse(readFileSync(m.paths.cursorConfig, "utf8"))).toEqual(mine);
    const desktop = report.targets.find((t: { client: string }) => t.client === "claude-desktop");
    expect(desktop.added).toEqual(["constructor"]);
    const status = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      client: string;
      state: string;
    }>;
    expect(status.find((r) => r.client === "cursor")?.state).toBe("foreign");
    expect(status.find((r) => r.client === "claude-desktop")?.state).toBe("synced");
  });
});

describe("npm dist-tags", () => {
  test("a range named like a prototype member is not a tag", async () => {
    const env = {
      runNpm: async () => ({
        exitCode: 0,
        stdout: Buffer.from(JSON.stringify({ versions: ["1.0.0"], "dist-tags": { latest: "1.0.0" } })),
        stderr: Buffer.alloc(0),
        failed: false,
        timedOut: false,
      }),
    } as unknown as Environment;
    await expect(resolveVersion(env, "pkg", "toString")).rejects.toThrow(/no version of pkg matches/);
    await expect(resolveVersion(env, "pkg", "latest")).resolves.toBe("1.0.0");
  });
});
