/**
 * A shared server's entry in each client (entries/shared-entry.ts): a url entry to the gateway with
 * that target's own client token wherever the client takes url entries — never one without a
 * credential; the project folder as the client's own variable, and the relay where the client takes
 * no url entry, has no folder variable for a project server, or keeps its file readable by others.
 */
import { describe, expect, test } from "vitest";
import { verifyClientToken } from "../../src/core/bridge-link/client-token.js";
import type { ClientId } from "../../src/core/clients/ids.js";
import { clientModule } from "../../src/core/clients/index.js";
import type { Target } from "../../src/core/clients/types.js";
import { type GatewayReach, sharedEntry } from "../../src/core/entries/shared-entry.js";
import type { EntryContext } from "../../src/core/entries/target-entry.js";
import type { Environment } from "../../src/core/environments/types.js";

const BRIDGE_TOKEN = "b".repeat(43);
const linux = {
  id: "linux",
  kind: "linux",
  local: true,
  style: "posix",
  usable: true,
  home: "/home/bob",
  node: { path: "/usr/bin/node", version: "v20.20.2" },
  npm: { prefix: "/home/bob/.npm-global" },
} as unknown as Environment;

const ctx = {
  environments: [linux],
  installed: () => undefined,
  shortPath: (p: string) => p,
  self: { node: "/usr/bin/node", script: "/opt/mcp-twin/bin/mcp-twin.js" },
  selfVersion: "1.0.0",
  secrets: {},
  processEnv: {},
} as unknown as EntryContext;

function reach(privateFile = true): GatewayReach {
  return {
    origin: "http://127.0.0.1:7777",
    env: linux,
    program: { node: "/usr/bin/node", script: "/opt/mcp-twin/bin/mcp-twin.js" },
    token: BRIDGE_TOKEN,
    private: () => privateFile,
  };
}

const target = (client: ClientId) =>
  ({
    key: `linux:${client}`,
    env: linux,
    client: clientModule(client),
    scope: "user",
    path: `/home/bob/${client}.json`,
    file: `/home/bob/${client}.json`,
    serversPath: clientModule(client).serversPath,
    present: true,
  }) as Target;

const URL_ = "http://127.0.0.1:7777/share/tavily";

describe("a shared server's url entry, per client", () => {
  const expected: Record<string, (token: string) => Record<string, unknown>> = {
    "claude-code": (t) => ({ type: "http", url: URL_, headers: { Authorization: `Bearer ${t}` } }),
    cursor: (t) => ({ url: URL_, headers: { Authorization: `Bearer ${t}` } }),
    vscode: (t) => ({ type: "http", url: URL_, headers: { Authorization: `Bearer ${t}` } }),
    windsurf: (t) => ({ serverUrl: URL_, headers: { Authorization: `Bearer ${t}` } }),
    "gemini-cli": (t) => ({ url: URL_, type: "http", headers: { Authorization: `Bearer ${t}` } }),
    codex: (t) => ({ url: URL_, http_headers: { Authorization: `Bearer ${t}` } }),
  };
  for (const [client, shape] of Object.entries(expected))
    test(`${client}: a url entry with its own client token for this server alone (never the bridge token)`, () => {
      const built = sharedEntry(
        "tavily",
        { package: "tavily-mcp", share: "machine" },
        target(client as ClientId),
        ctx,
        reach(),
      );
      expect(built.ok).toBe(true);
      if (!built.ok) return;
      const token = built.secretValues[0] ?? "";
      expect(verifyClientToken(BRIDGE_TOKEN, token)).toEqual({ share: "tavily", label: `linux:${client}` });
      expect(built.value).toEqual(shape(token));
      expect(JSON.stringify(built.value)).not.toContain(BRIDGE_TOKEN);
      expect(built.relay).toBeUndefined();
    });

  test("Claude Desktop takes no url entry: the relay, with no token in its file", () => {
    const built = sharedEntry(
      "tavily",
      { package: "tavily-mcp", share: "machine" },
      target("claude-desktop"),
      ctx,
      reach(),
    );
    expect(built).toMatchObject({
      ok: true,
      relay: "shared-stdio-only",
      value: {
        command: "/usr/bin/node",
        args: [
          "--v8-pool-size=1",
          "/opt/mcp-twin/bin/mcp-twin.js",
          "connect",
          URL_,
          "--as",
          "linux:claude-desktop",
        ],
      },
    });
    if (built.ok) expect(built.secretValues).toEqual([]);
  });

  test("a project server: each client's own folder variable, the relay where it has none", () => {
    const headers = (client: ClientId) => {
      const built = sharedEntry(
        "tavily",
        { package: "tavily-mcp", share: "project" },
        target(client),
        ctx,
        reach(),
      );
      return built.ok
        ? (built.value as { headers?: Record<string, string> }).headers?.["Mcp-Twin-Project"]
        : "failed";
    };
    expect(headers("claude-code")).toBe("${PWD}");
    expect(headers("gemini-cli")).toBe("${PWD}");
    expect(headers("cursor")).toBe("${workspaceFolder}");
    expect(headers("vscode")).toBe("${workspaceFolder}");
    const codex = sharedEntry(
      "tavily",
      { package: "tavily-mcp", share: "project" },
      target("codex"),
      ctx,
      reach(),
    );
    expect(codex.ok && codex.value).toMatchObject({ env_http_headers: { "Mcp-Twin-Project": "PWD" } });
    const windsurf = sharedEntry(
      "tavily",
      { package: "tavily-mcp", share: "project" },
      target("windsurf"),
      ctx,
      reach(),
    );
    expect(windsurf).toMatchObject({ ok: true, relay: "no-folder" });
  });

  test("a file others can read, or no bridge token yet: the relay, never a token", () => {
    const readable = sharedEntry(
      "tavily",
      { package: "tavily-mcp", share: "machine" },
      target("cursor"),
      ctx,
      reach(false),
    );
    expect(readable).toMatchObject({ ok: true, relay: "readable", secretValues: [] });
    const none = sharedEntry("tavily", { package: "tavily-mcp", share: "machine" }, target("cursor"), ctx, {
      ...reach(),
      token: null,
    });
    expect(none).toMatchObject({ ok: true, relay: "no-token", secretValues: [] });
  });

  test("a client beside the bridge (Linux, WSL) is no exception: its client token where the file is private, the relay where others can read it — never an entry without a credential", () => {
    const forms = [true, false].map((privateFile) =>
      sharedEntry(
        "tavily",
        { package: "tavily-mcp", share: "project" },
        target("cursor"),
        ctx,
        reach(privateFile),
      ),
    );
    expect(forms[0]).toMatchObject({
      ok: true,
      value: { url: URL_, headers: { "Mcp-Twin-Project": "${workspaceFolder}" } },
    });
    expect(forms[0]?.ok && verifyClientToken(BRIDGE_TOKEN, forms[0].secretValues[0] ?? "")).toEqual({
      share: "tavily",
      label: "linux:cursor",
    });
    expect(forms[1]).toMatchObject({ ok: true, relay: "readable", secretValues: [] });
    const none = sharedEntry(
      "tavily",
      { package: "tavily-mcp", share: "machine" },
      target("claude-code"),
      ctx,
      {
        ...reach(),
        token: null,
      },
    );
    expect(none).toMatchObject({ ok: true, relay: "no-token", secretValues: [] });
  });

  test("a client on the other side of the line (Windows, a WSL bridge): its own client token, as before", () => {
    const windows = { ...linux, id: "windows", kind: "windows", local: false } as unknown as Environment;
    const across = { ...target("cursor"), key: "windows:cursor", env: windows } as Target;
    const built = sharedEntry("tavily", { package: "tavily-mcp", share: "machine" }, across, ctx, reach());
    expect(built.ok && built.secretValues).toHaveLength(1);
    if (built.ok)
      expect(verifyClientToken(BRIDGE_TOKEN, built.secretValues[0] ?? "")).toEqual({
        share: "tavily",
        label: "windows:cursor",
      });
  });

  test("every form is the bridge's (adopt takes no launch from it), with the manifest's clientFields beside it", () => {
    const server = {
      package: "tavily-mcp",
      share: "machine" as const,
      clientFields: { "claude-code": { alwaysLoad: true } },
    };
    const forms = [
      sharedEntry("tavily", server, target("claude-code"), ctx, reach()),
      sharedEntry("tavily", { ...server, share: "project" }, target("claude-code"), ctx, reach()),
      sharedEntry("tavily", server, target("claude-code"), ctx, reach(false)),
    ];
    expect(forms.map((b) => b.ok && (b.relay ?? "url"))).toEqual(["url", "url", "readable"]);
    for (const built of forms) expect(built).toMatchObject({ bridged: true, fields: { alwaysLoad: true } });
    // Another client's fields are not this one's.
    const cursor = sharedEntry("tavily", server, target("cursor"), ctx, reach());
    expect(cursor).toMatchObject({ ok: true, bridged: true });
    expect(cursor.ok && cursor.fields).toBeUndefined();
    // One that cannot be built now is meant as the bridge's all the same.
    const windows = { ...linux, id: "windows", kind: "windows", local: false } as unknown as Environment;
    const macos = { ...linux, id: "macos", kind: "macos" } as unknown as Environment;
    const unreachable = sharedEntry("tavily", server, { ...target("claude-desktop"), env: macos }, ctx, {
      ...reach(),
      env: windows,
    });
    expect(unreachable).toMatchObject({ ok: false, bridged: true });
  });
});
