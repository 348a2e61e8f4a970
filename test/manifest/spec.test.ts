/**
 * A manifest server from spec to launch (core/manifest/spec.ts), and the one judgement of the
 * values it references (core/secrets/references.ts) that sync and doctor both read.
 */
import { describe, expect, test } from "vitest";
import type { ServerSpec } from "../../src/core/manifest/schema.js";
import {
  lookupReference,
  overrideFor,
  referencesOf,
  serverForms,
  serverIn,
  specFields,
} from "../../src/core/manifest/spec.js";
import { programServers } from "../../src/core/manifest/trust.js";
import { valueFindings } from "../../src/core/secrets/references.js";

const server: ServerSpec = {
  command: "uvx",
  args: ["srv"],
  env: { A: "base", B: "base" },
  overrides: {
    // General first: the first match alone would be `wsl`.
    wsl: { args: ["srv", "--wsl"], env: { A: "wsl" } },
    "wsl:Ubuntu": { env: { B: "ubuntu" } },
    windows: { command: "uvx.exe" },
  },
};

describe("overrides", () => {
  test.each([
    ["wsl:Ubuntu", { args: ["srv", "--wsl"], env: { B: "ubuntu" } }],
    ["wsl:Debian", { args: ["srv", "--wsl"], env: { A: "wsl" } }],
    ["windows", { command: "uvx.exe" }],
    ["linux", {}],
  ])("in %s: field by field, the most specific matching override's", (envId, expected) => {
    expect(overrideFor(server, envId)).toEqual(expected);
  });

  test("the server as it runs: args and command replaced, env merged over the server's", () => {
    expect(serverIn(server, "wsl:Ubuntu")).toEqual({
      command: "uvx",
      args: ["srv", "--wsl"],
      env: { A: "base", B: "ubuntu" },
      headers: {},
    });
    expect(serverIn(server, "windows")).toMatchObject({ command: "uvx.exe", args: ["srv"] });
  });

  test("a selector matches case-insensitively, never a prototype member", () => {
    expect(overrideFor({ command: "x", overrides: { WINDOWS: { args: ["w"] } } }, "windows")).toEqual({
      args: ["w"],
    });
    expect(overrideFor({ command: "x" }, "constructor")).toEqual({});
  });

  test("every form a server may run, and so every program the trust prompt shows", () => {
    expect(serverForms(server).map((f) => [f.command, ...f.args].join(" "))).toEqual([
      "uvx srv",
      "uvx srv --wsl",
      "uvx srv",
      "uvx.exe srv",
    ]);
    expect(programServers({ servers: { s: server } }).map((p) => p.runs)).toEqual([
      "uvx srv",
      "uvx srv --wsl",
      "uvx.exe srv",
    ]);
  });
});

describe("fields and references", () => {
  const spec: ServerSpec = {
    url: "https://x.example/${env:REGION}/mcp",
    headers: { "X.Api.Key": "${secret:KEY}" },
    overrides: { "wsl:Ubuntu-22.04": { headers: { Authorization: "Bearer ${secret:TOKEN}" } } },
  };

  test("each string with where it sits: part, key, override (a selector may hold dots)", () => {
    expect(specFields(spec).map(({ path, part, key, override }) => ({ path, part, key, override }))).toEqual([
      { path: "url", part: "url", key: undefined, override: undefined },
      { path: "headers.X.Api.Key", part: "headers", key: "X.Api.Key", override: undefined },
      {
        path: "overrides.wsl:Ubuntu-22.04.headers.Authorization",
        part: "headers",
        key: "Authorization",
        override: "wsl:Ubuntu-22.04",
      },
    ]);
    expect(referencesOf(spec, "secret")).toEqual(["KEY", "TOKEN"]);
    expect(referencesOf(spec, "env")).toEqual(["REGION"]);
  });

  test("a reference is an own property of the secrets, else of the environment", () => {
    const ctx = { secrets: { K: "stored" }, env: { K: "exported", E: "e" } };
    expect(lookupReference({ kind: "secret", name: "K" }, ctx)).toEqual({ value: "stored", from: "secret" });
    expect(lookupReference({ kind: "env", name: "K" }, ctx)).toEqual({ value: "exported", from: "env" });
    expect(lookupReference({ kind: "secret", name: "E" }, ctx)).toEqual({ value: "e", from: "env" });
    expect(lookupReference({ kind: "secret", name: "toString" }, ctx)).toBeUndefined();
  });
});

describe("valueFindings: one judgement for sync and doctor", () => {
  const TAVILY = new Map([["TAVILY_API_KEY", [{ pattern: "^tvly-[A-Za-z0-9_-]{8,}$" }]]]);
  const find = (spec: ServerSpec, secrets: Record<string, string>, accepted: string[] = []) =>
    valueFindings(spec, { secrets, env: {}, accepted: new Set(accepted), formats: TAVILY }).map((f) => [
      f.kind,
      f.field.path,
      "problem" in f ? f.problem.kind : undefined,
    ]);
  const keyed = { command: "x", env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" } };

  test.each([
    ["unset", keyed, {}, [], [["unset", "env.TAVILY_API_KEY", undefined]]],
    ["blank", keyed, { TAVILY_API_KEY: "  " }, [], [["not-a-key", "env.TAVILY_API_KEY", "empty"]]],
    [
      "placeholder",
      keyed,
      { TAVILY_API_KEY: "tvly-xxxxxxxx" },
      [],
      [["not-a-key", "env.TAVILY_API_KEY", "placeholder"]],
    ],
    [
      "off format",
      keyed,
      { TAVILY_API_KEY: "abc123def456" },
      [],
      [["not-a-key", "env.TAVILY_API_KEY", "format"]],
    ],
    ["off format, accepted", keyed, { TAVILY_API_KEY: "abc123def456" }, ["TAVILY_API_KEY"], []],
    ["a real key", keyed, { TAVILY_API_KEY: "tvly-dev-8b2kq9x1m4" }, [], []],
  ] as const)("%s", (_, spec, secrets, accepted, expected) => {
    expect(find(spec, secrets, [...accepted])).toEqual(expected);
  });

  test("a reference filled into a url or header must be one line; in env a line break is the server's business", () => {
    const spec: ServerSpec = {
      url: "https://h.example/mcp?k=${secret:Q}",
      headers: { Authorization: "Bearer ${secret:K}", "X-Env": "${env:E}" },
      env: { PEM: "${secret:K}" },
    };
    const found = valueFindings(spec, {
      secrets: { K: "k-4f9a\nX-Evil: 1", Q: "q\r1" },
      env: { E: "one line" },
      accepted: new Set(),
    }).map((f) => [f.kind, f.field.path]);
    expect(found).toEqual([
      ["not-one-line", "url"],
      ["not-one-line", "headers.Authorization"],
    ]);
  });

  test("literal keys in any override, and a secret in args", () => {
    const spec: ServerSpec = {
      command: "x",
      args: ["--key", "${secret:K}"],
      overrides: { "wsl:Ubuntu-22.04": { env: { API_KEY: "your-key-here" } } },
    };
    expect(find(spec, { K: "k-4f9a8b7c6d5e" })).toEqual([
      ["secret-in-args", "args[1]", undefined],
      ["literal", "overrides.wsl:Ubuntu-22.04.env.API_KEY", "placeholder"],
    ]);
  });
});
