/**
 * `search` and `add <registry name>` through the built binary, against a local MCP Registry
 * serving recorded answers and the loopback npm registry: from a registry name to both sides
 * installed and a real MCP handshake; remotes as URL entries and relays; PyPI and OCI said
 * honestly; what cannot be added refused with the command that would run it; secrets never shown.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { BIN, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { registryMachines } from "../helpers/registry-machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const TOKEN = "fx-7d2e9a41c5b3";
const WEATHER = "wk-51f0c8e2d9a7b6";
const { machine, registry: mcpRegistry } = registryMachines();
afterEach(() => {
  mcpRegistry().set({ delayMs: undefined, status: undefined });
});
const run = (m: FakeMachine, args: string[], env: Record<string, string> = {}) => m.run(args, { env });
const manifestOf = (m: FakeMachine) =>
  JSON.parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8").replace(/^\/\/.*$/gm, ""));
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

describe("search", () => {
  test("a table of name, version, package, transport and required secrets; catalogue matches first", async () => {
    const m = machine();
    const r = await run(m, ["search", "web", "search"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("In the catalogue");
    expect(r.stdout).toMatch(/^ {2}brave-search {2}/m);
    expect(r.stdout).toMatch(/NAME +VERSION +PACKAGE +TRANSPORT +SECRETS/);
    expect(r.stdout).toMatch(
      /com\.brave\/brave-search +2\.1\.4 +npm @brave\/brave-search-mcp-server@2\.1\.4 +stdio +BRAVE_API_KEY/,
    );
    expect(r.stdout).toContain("Web, image, video and news search with the Brave Search API.");
    expect(r.stdout).not.toContain("code-search"); // "web" is not in it
  });

  test("--json, what cannot be added and why, deprecated servers, and the next page", async () => {
    const m = machine();
    const r = await run(m, ["search", "time", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.registry).toBe(mcpRegistry().url);
    expect(doc.catalogue.map((t: { name: string }) => t.name)).toEqual(["time"]);
    expect(doc.servers).toEqual([
      expect.objectContaining({
        name: "io.github.domdomegg/time-mcp-nuget",
        package: "nuget TimeMcpServer@1.0.8",
        why: "a NuGet (.NET) tool, which mcp-twin does not install",
      }),
      expect.objectContaining({
        name: "io.github.domdomegg/time-mcp-pypi",
        version: "1.0.6",
        package: "pypi time-mcp-pypi@1.0.6",
        transport: "stdio",
        secrets: [],
        way: "pypi",
      }),
    ]);
    const text = await run(m, ["search", "weather"]);
    expect(text.stdout).toMatch(/io\.github\.example\/old-weather[^\n]*\n[^\n]*\n {4}deprecated/);
    const paged = await run(m, ["search", "search", "--limit", "2"]);
    expect(paged.stdout).toContain(
      'More: mcp-twin search search --cursor "io.github.acme/code-search:0.4.1"',
    );
    const next = await run(m, [
      "search",
      "search",
      "--limit",
      "2",
      "--cursor",
      "io.github.acme/code-search:0.4.1",
    ]);
    expect(next.stdout).toContain("io.github.acme/docs-search");
    expect(next.stdout).not.toContain("com.brave/brave-search ");
  });

  test("a registry that does not answer: one line; the catalogue's match is an answer (exit 0, ▲), no match anywhere is exit 1 (✖); bounded by the timeout", async () => {
    const m = machine();
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const gone = await run(m, ["search", "tavily", "--registry", nobody]);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain("tavily");
    expect(gone.stderr).toMatch(
      /^▲ The MCP Registry could not be searched: http:\/\/127\.0\.0\.1:\d+ refused the connection\.\n/m,
    );
    expect(gone.stderr.match(/MCP Registry/g)).toHaveLength(1);
    const none = await run(m, ["search", "zzyzx", "--registry", nobody]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^✖ The MCP Registry could not be searched/m);
    mcpRegistry().set({ delayMs: 10_000 });
    const started = Date.now();
    const slow = await run(m, ["search", "tavily", "--json"], { MCP_TWIN_REGISTRY_TIMEOUT: "1" });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(slow.code).toBe(0);
    const doc = JSON.parse(slow.stdout);
    expect(doc.catalogue.map((t: { name: string }) => t.name)).toEqual(["tavily"]);
    expect(doc.errors).toEqual([
      {
        code: "registry-timeout",
        message: `The MCP Registry at ${mcpRegistry().url} did not answer within 1 s.`,
      },
    ]);
    const slowNone = await run(m, ["search", "zzyzx", "--json"], { MCP_TWIN_REGISTRY_TIMEOUT: "1" });
    expect(slowNone.code).toBe(1);
  });
});

test("Ctrl-C while the registry is being asked: exit 130 at once", async () => {
  const m = machine();
  mcpRegistry().set({ delayMs: 30_000 });
  mcpRegistry().requests.length = 0;
  const child = spawn(process.execPath, [BIN, "search", "tavily"], { env: m.env, cwd: m.paths.linuxHome });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  while (mcpRegistry().requests.length === 0) await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  child.kill("SIGINT");
  expect(await closed).toBe(130);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(stderr).toMatch(/✖ Stopped before anything (but mcp-twin.s cache )?was written\./);
});

describe("add <a name nobody has>", () => {
  test("the MCP Registry is asked for it: its matches, or that it has none — never `mcp-twin search` when it cannot be reached", async () => {
    const m = machine();
    // npm's (loopback) registry has no such package either.
    const near = await run(m, ["add", "airtable-server-zz"]);
    expect(near.code).toBe(2);
    expect(near.stderr).toContain('"airtable-server-zz" is not in the catalogue');
    expect(near.stderr).toContain(
      'The MCP Registry has nothing matching "airtable server zz" either; `mcp-twin add --list` shows the catalogue.',
    );
    const hit = await run(m, ["add", "weather"]);
    expect(hit.code).toBe(2);
    expect(hit.stderr).toMatch(
      /The MCP Registry has [^\n]*com\.example\/weather-remote[^\n]*: `mcp-twin add <name>` adds one/,
    );
    const gone = await run(m, ["add", "weather", "--registry", `http://127.0.0.1:${await freePort()}`]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(
      /`mcp-twin add --list` shows the catalogue \(the MCP Registry could not be searched for it: http:\/\/127\.0\.0\.1:\d+ refused the connection\)\./,
    );
    expect(gone.stderr).not.toContain("mcp-twin search");
  });
});

describe("add <registry name>", () => {
  test("an npm server: pinned to the registry's version, its key stored, installed and working on both sides", async () => {
    const m = machine();
    const r = await run(m, [
      "add",
      "io.github.mcp-twin/fixture-server",
      "--yes",
      "--secret",
      `FIXTURE_TOKEN=${TOKEN}`,
    ]);
    expect(r.stderr).not.toContain("Unexpected");
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stdout).toContain(
      "npm package mcp-twin-fixture-server@1.1.0: sync installs it where a client runs it.",
    );
    expect(r.stdout).toContain("Optional settings it reads");
    expect(manifestOf(m).servers["fixture-server"]).toEqual({
      description:
        "mcp-twin's test server: echo, add, env and whoami tools over stdio. (MCP Registry: io.github.mcp-twin/fixture-server@1.1.0)",
      package: "mcp-twin-fixture-server@1.1.0",
      args: ["--tools", "2"],
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    });
    expect(json(path.join(m.paths.home, "secrets.json")).secrets.FIXTURE_TOKEN).toBe(TOKEN);
    // Its key in each entry, where this test starts it on both sides (a key-carrying server is
    // otherwise reached through the bridge: test/secrets/keychain.test.ts).
    expect((await run(m, ["share", "fixture-server", "off"])).code).toBe(0);
    const sync = await run(m, ["sync"]);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    for (const prefix of [
      path.join(m.paths.linuxPrefix, "lib", "node_modules"),
      path.join(m.paths.windowsPrefix, "node_modules"),
    ])
      expect(json(path.join(prefix, "mcp-twin-fixture-server", "package.json")).version).toBe("1.1.0");
    for (const file of [m.paths.claudeCodeConfig, m.paths.claudeDesktopConfig]) {
      const entry = json(file).mcpServers["fixture-server"];
      const session = await handshake(entry, {
        resolveCommand: onDrive(m),
        baseEnv: { PATH: m.env.PATH ?? "" },
      });
      try {
        expect(session.tools).toEqual(["add", "echo", "env", "tool0", "tool1", "whoami"]);
        expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
          set: true,
          length: TOKEN.length,
        });
      } finally {
        await session.close();
      }
    }
  }, 180_000);

  test("@version pins that version; --arg answers a variable; --yes without the key is exit 2 naming it", async () => {
    const m = machine();
    const missing = await run(m, ["add", "io.github.mcp-twin/fixture-server", "--yes"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "Secret FIXTURE_TOKEN is needed (Token the fixture server reports (length only))",
    );
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    const r = await run(m, [
      "add",
      "io.github.mcp-twin/fixture-server@1.0.0",
      "--yes",
      "--secret",
      `FIXTURE_TOKEN=${TOKEN}`,
      "--arg",
      "tool_count=5",
      "--name",
      "fx",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      added: "fx",
      source: "registry",
      registry: { name: "io.github.mcp-twin/fixture-server", version: "1.0.0", way: "npm" },
      secrets: ["FIXTURE_TOKEN"],
    });
    expect(manifestOf(m).servers.fx).toMatchObject({
      package: "mcp-twin-fixture-server@1.0.0",
      args: ["--tools", "5"],
    });
    expect(r.stdout).not.toContain(TOKEN);
  });

  test("a remote with a key: shared, so no client's file holds the key — every entry reaches it through the bridge", async () => {
    const m = machine();
    const r = await run(m, [
      "add",
      "com.example/weather-remote",
      "--secret",
      `WEATHER_API_KEY=${WEATHER}`,
      "--sync",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(WEATHER);
    expect(r.stdout).toContain("remote server https://mcp.weather.example.com/mcp");
    expect(manifestOf(m).servers["weather-remote"]).toMatchObject({
      url: "https://mcp.weather.example.com/mcp",
      headers: { Authorization: "Bearer ${secret:WEATHER_API_KEY}" },
      share: "machine",
    });
    for (const file of [m.paths.claudeCodeConfig, m.paths.claudeDesktopConfig, m.paths.cursorConfig]) {
      const entry = json(file).mcpServers["weather-remote"];
      expect(JSON.stringify(entry), file).toMatch(/\/share\/weather-remote/);
      expect(JSON.stringify(entry), file).not.toContain(WEATHER);
    }
    expect(r.stdout).toContain("The key of weather-remote stays in mcp-twin's home");
  }, 120_000);

  test("PyPI and OCI: added as uvx / docker entries, said honestly to be not installed by mcp-twin", async () => {
    const m = machine();
    const pypi = await run(m, ["add", "io.github.domdomegg/time-mcp-pypi", "--yes"]);
    expect(pypi.code).toBe(0);
    expect(pypi.stdout).toContain(
      "A Python package: mcp-twin does not install it. Its entry runs `uvx time-mcp-pypi@1.0.6`, which needs uv",
    );
    expect(manifestOf(m).servers["time-mcp-pypi"]).toMatchObject({
      command: "uvx",
      args: ["time-mcp-pypi@1.0.6"],
    });
    const oci = await run(m, [
      "add",
      "io.github.domdomegg/airtable-mcp-server",
      "--use",
      "oci",
      "--yes",
      "--secret",
      "AIRTABLE_API_KEY=pat123.abc123def456",
    ]);
    expect(oci.code).toBe(0);
    expect(oci.stdout).toContain(
      "A container image: mcp-twin neither installs Docker nor pulls the image. Its entry runs `docker run -i --rm -e AIRTABLE_API_KEY docker.io/domdomegg/airtable-mcp-server:1.7.3`.",
    );
    expect(oci.stdout).toContain("Also offered: npm (`--use npm`).");
  });

  test("what mcp-twin cannot run is refused (exit 2, nothing written) with the command that would run it", async () => {
    const m = machine();
    const nuget = await run(m, ["add", "io.github.domdomegg/time-mcp-nuget"]);
    expect(nuget.code).toBe(2);
    expect(nuget.stderr).toContain("mcp-twin cannot add io.github.domdomegg/time-mcp-nuget:");
    expect(nuget.stderr).toContain("to run it: dnx TimeMcpServer@1.0.8 --yes");
    // SSE-only remotes are no longer refused: test/e2e/sse-remote.test.ts adds one.
    const noOci = await run(m, ["add", "io.github.domdomegg/time-mcp-pypi", "--use", "oci"]);
    expect(noOci.code).toBe(2);
    expect(noOci.stderr).toContain("offers no oci way to run it");
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
  });

  test("not in the registry: exit 2 with a did-you-mean; deleted ones refused; no registry: exit 1", async () => {
    const m = machine();
    const typo = await run(m, ["add", "io.github.domdomegg/airtable"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      `io.github.domdomegg/airtable is not in the MCP Registry at ${mcpRegistry().url}.`,
    );
    expect(typo.stderr).toContain("Did you mean io.github.domdomegg/airtable-mcp-server?");
    const deleted = await run(m, ["add", "io.github.example/removed-server"]);
    expect(deleted.code).toBe(2);
    mcpRegistry().set({ status: 503 });
    const down = await run(m, ["add", "io.github.domdomegg/time-mcp-pypi"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("answered 503");
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
  });

  test("in a terminal: the key asked masked, then the offer to sync (declined)", async () => {
    const m = machine();
    const pty = runInPty(["add", "com.example/tenant-remote"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Your tenant id/);
    pty.type(`acme${KEY.enter}`);
    await pty.waitFor(/API key for your tenant/);
    pty.type(`tk-0a1b2c3d4e5f${KEY.enter}`);
    // A remote server: nothing to install, and the question says so.
    await pty.waitFor(/Write it into every client now\?/);
    pty.type(`n${KEY.enter}`);
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).not.toContain("Install it");
    expect(output).not.toContain("tk-0a1b2c3d4e5f");
    expect(output).toContain("Run `mcp-twin sync`");
    expect(manifestOf(m).servers["tenant-remote"]).toMatchObject({
      url: "https://acme.mcp.example.com/mcp",
      headers: { "X-API-Key": "${secret:TENANT_REMOTE_X_API_KEY}" },
    });
    expect(
      existsSync(m.paths.claudeCodeConfig) && json(m.paths.claudeCodeConfig).mcpServers?.["tenant-remote"],
    ).toBeFalsy();
  }, 60_000);
});
