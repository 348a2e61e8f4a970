/**
 * What sync, `bridge status`, status, doctor and uninstall print around shared servers on plain
 * Linux, line by line: each mode's process count, the readable-file paragraph once and only when it
 * is news, `--dry-run --verbose` on stderr, open sessions said as such, one port-taken wording.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import { stopBridgeAndLoop } from "../helpers/bridge-loop.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

/** Plain Linux with Claude Code, Cursor and Gemini CLI, and two shared servers (session, machine). */
async function linuxMachine(
  cleanAfterEach = true,
): Promise<{ m: FakeMachine; port: number; files: string[] }> {
  const port = await freePort();
  const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
  if (cleanAfterEach) machines.push(m);
  const home = m.paths.linuxHome;
  const cursor = path.join(home, ".cursor", "mcp.json");
  const gemini = path.join(home, ".gemini", "settings.json");
  for (const file of [cursor, gemini]) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "{}\n");
  }
  writeManifest(m, {
    bridge: { port },
    servers: {
      fixture: { package: inject("fixtureName"), share: "session" },
      other: { package: inject("fixtureName"), share: "machine" },
    },
  });
  return { m, port, files: [m.paths.claudeCodeConfig, cursor, gemini] };
}

const count = (text: string, part: string) => text.split(part).length - 1;
const bridgePid = (m: FakeMachine) =>
  (
    JSON.parse(
      readFileSync(
        path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json"),
        "utf8",
      ),
    ) as { pid: number }
  ).pid;

describe("plain Linux, three clients, a session and a machine server", () => {
  let m: FakeMachine;
  let files: string[];
  beforeAll(async () => {
    ({ m, files } = await linuxMachine(false));
    for (const f of files) chmodSync(f, 0o644);
  }, 60_000);
  afterAll(() => m?.cleanup());

  test("files others can read: each target a short line, the why and the chmod once for all", async () => {
    const first = await m.run(["sync"]);
    expect(first.code, first.stderr).toBe(0);
    expect(count(first.stdout, "chmod 600")).toBe(1);
    expect(first.stdout).toContain(
      `  ▲ Why the relays above: no bridge token goes into a file other users can read, and ${files[0]}, ${files[1]} and ${files[2]} are. \`chmod 600 ${files.join(" ")}\`, then \`mcp-twin sync\`, gives them url entries to the bridge.\n`,
    );
    // Each fact once: the why in that paragraph only (no pointer to it per target), each target's relay on its own line.
    expect(count(first.stdout, "other users can read")).toBe(1);
    expect(first.stdout).not.toContain("why a relay");
    expect(count(first.stdout, "Why the relays")).toBe(1);
    expect(
      count(
        first.stdout,
        "fixture and other are shared: they go through mcp-twin's relay (`mcp-twin connect`) in linux, so ",
      ),
    ).toBe(3);
    expect(first.stdout).not.toContain("no process per session");
  }, 120_000);

  test("a sync that changes nothing says nothing of it again", async () => {
    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("other users can read");
    expect(again.stdout).not.toContain("chmod 600");
  }, 60_000);

  test("--dry-run --verbose says on stderr what it found and would write; without --verbose, nothing", async () => {
    for (const f of files) chmodSync(f, 0o600);
    const dry = await m.run(["sync", "--dry-run", "--verbose"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/^· Looking at environments \(\d+ ms\)$/m);
    expect(count(dry.stderr, "· Looking at environments")).toBe(1);
    expect(dry.stderr).toMatch(/^environment facts: (all from the cache|\d+ gathered afresh)$/m);
    expect(dry.stderr).toContain(
      `target linux claude-code ${files[0]}: updated ~fixture ~other; fixture url entry to the bridge, other url entry to the bridge\n`,
    );
    expect(dry.stderr).toMatch(new RegExp(`^would write ${files[0]}: \\d+ → \\d+ bytes$`, "m"));
    const quiet = await m.run(["sync", "--dry-run"]);
    expect(quiet.stderr).toBe("");
  }, 60_000);

  test("url entries: each mode's process count, per target", async () => {
    const synced = await m.run(["sync"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(
      count(
        synced.stdout,
        "      fixture: a url entry to the bridge, shared per session (one process per client session, started on its first call)\n",
      ),
    ).toBe(3);
    expect(
      count(
        synced.stdout,
        "      other: a url entry to the bridge, shared per machine (one process for every client session)\n",
      ),
    ).toBe(3);
    expect(synced.stdout).not.toContain("once in the bridge");
    expect(synced.stdout).not.toContain("other users can read");
  }, 60_000);

  test("bridge status: a session its client left open is said as an open session, with its last request", async () => {
    const entry = JSON.parse(readFileSync(files[0] ?? "", "utf8")).mcpServers.other;
    const client = new Client({ name: "claude-code", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
    );
    await client.listTools();
    await client.close(); // no DELETE: its session stays open in the bridge
    const status = await m.run(["bridge", "status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /^ {2}sessions {3}1 open \(claude-code\), the last request \d+s ago; a session stays open until its client closes it or leaves \(then ended within a minute, by default\)$/m,
    );
    expect(status.stdout).not.toMatch(/^ {2}clients /m);
  }, 60_000);

  test("bridge status <server> after `share <server> <mode>`, before the sync: the mode it runs in, the manifest's pending; synced, the new one", async () => {
    const entry = JSON.parse(readFileSync(files[0] ?? "", "utf8")).mcpServers.other;
    const connect = async () => {
      const client = new Client({ name: "claude-code", version: "1" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
      );
      await client.callTool({ name: "whoami", arguments: {} });
      return client;
    };
    // One client gone without ending its session, one connected: both sessions are still attached
    // (with the one an earlier test left).
    await (await connect()).close();
    const live = await connect();
    try {
      const shared = await m.run(["share", "other", "session", "--no-sync"]);
      expect(shared.code, shared.stderr).toBe(0);
      const before = await m.run(["bridge", "status", "other"]);
      expect(before.stdout).toMatch(
        /^✔ other: machine \(the manifest says session: `mcp-twin sync` applies it\), running: pid \d+, \d+ MB, [23] sessions attached/,
      );
      expect(before.stdout).toMatch(/^ {2}processes {2}machine: running, pid \d+/m);
      expect(before.stdout).toContain(
        "  sessions   a session stays attached until its client closes it or leaves (then ended within a minute, by default)\n",
      );
      const json = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
        server: string;
        shared?: { mode: string; manifestMode?: string };
      }>;
      expect(json.find((r) => r.server === "other")?.shared).toMatchObject({
        mode: "machine",
        manifestMode: "session",
      });
      // What it says, done.
      expect((await m.run(["sync"])).code).toBe(0);
      const after = await m.run(["bridge", "status", "other"]);
      expect(after.stdout).toMatch(/^✔ other: session, /);
      expect(after.stdout).not.toContain("the manifest says");
    } finally {
      await live.close();
      await m.run(["share", "other", "machine", "--sync"]);
    }
  }, 90_000);

  test("restore after `remove <shared> --sync`: the url entries put back are said to start nothing; shared again, they answer", async () => {
    const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
    const text = readFileSync(manifest, "utf8");
    const call = async () => {
      const entry = JSON.parse(readFileSync(files[0] ?? "", "utf8")).mcpServers.other;
      const client = new Client({ name: "claude-code", version: "1" });
      try {
        await client.connect(
          new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
        );
        return (await client.listTools()).tools.length > 0 ? "answered" : "no tools";
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      } finally {
        await client.close().catch(() => {});
      }
    };
    const removed = await m.run(["remove", "other", "--sync"]);
    expect(removed.code, removed.stderr).toBe(0);
    const restored = await m.run(["restore", "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(
      "▲ other was put back in linux claude-code, linux cursor and linux gemini-cli as an entry to the bridge, which does not run other (the manifest no longer shares it): it starts nothing, and its calls fail. To use it, share other in the manifest again, then `mcp-twin sync`; otherwise `mcp-twin sync` takes the entry away.\n",
    );
    expect(await call()).not.toBe("answered");
    const json = JSON.parse((await m.run(["restore", "--yes", "--json"])).stdout);
    expect(json.notServed).toBeUndefined(); // nothing left to undo: nothing said
    // What it says, done: shared again, then a sync — the entry put back answers.
    writeFileSync(manifest, text);
    const synced = await m.run(["sync"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(await call()).toBe("answered");
  }, 90_000);

  test("uninstall with only url entries to the bridge left: nothing said to start it again", async () => {
    // Its own relay entries removed by hand: only url entries reach it.
    for (const f of files) {
      const doc = JSON.parse(readFileSync(f, "utf8"));
      delete doc.mcpServers["mcp-twin"];
      writeFileSync(f, JSON.stringify(doc, null, 2));
    }
    const pid = bridgePid(m);
    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain(
      `✔ Stopped the bridge (pid ${pid}) in linux: no client config holds its entry now. An app or a session still open with a url entry to it gets no answer from it, until it is restarted.\n`,
    );
    expect(gone.stdout).not.toContain("starts it again");
  }, 60_000);
});

test("the port held by another home's bridge: sync, bridge status, status and doctor name it alike", async () => {
  const { m, port, files } = await linuxMachine();
  for (const f of files) chmodSync(f, 0o600);
  const synced = await m.run(["sync"]);
  expect(synced.code, synced.stderr).toBe(0);
  // Stopped, and its keeper with it (the keeper holds the port until it has ended too).
  await stopBridgeAndLoop(bridgePid(m));
  // What another home's bridge answers a request without its token.
  const other = http.createServer((_req, res) => {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="mcp-twin"' });
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    other.once("error", reject);
    other.listen(port, "127.0.0.1", resolve);
  });
  try {
    const held = `port ${port} is held by another mcp-twin bridge, which does not accept this home's token (a bridge of another home, or of another WSL distro: distros share one network)`;
    const bridge = await m.run(["bridge", "status"]);
    expect(bridge.stdout).toContain(`✖ P${held.slice(1)}`);
    const status = await m.run(["status"]);
    expect(status.stdout).toContain("  fixture  session, not running\n");
    expect(status.stdout).toContain(`The bridge is not running (${held}`);
    const doctor = await m.run(["doctor", "--json", "--no-probe"]);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; message: string }>;
    // One cause, one finding, for every url entry it leaves.
    const gateway = checks.filter((c) => c.id === "shared.gateway");
    expect(gateway).toHaveLength(1);
    expect(gateway[0]?.message).toContain(`the bridge is not there: ${held}`);
    expect(doctor.stdout).not.toContain("another program");
    // Sync writes no entry to that port: the direct entries, and why (test/e2e/port-taken-sync.test.ts).
    const again = await m.run(["sync"]);
    expect(again.stdout).toContain(
      `✖ P${held.slice(1)}, so no entry sends this home's credential there: fixture and other got their direct entries for now`,
    );
  } finally {
    other.close();
  }
}, 240_000);

test("a file that holds a key and gets a relay: its mode said once, on its line with the chmod", async () => {
  const { m, files } = await linuxMachine();
  const code = files[0]!;
  writeSecrets(m, { FX_KEY: "fx-k3y-0123456789abcdef" });
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: {
      fixture: { package: inject("fixtureName"), share: "session" },
      keyed: { package: inject("fixtureName"), share: "off", env: { FX_KEY: "${secret:FX_KEY}" } },
    },
  });
  chmodSync(code, 0o644);
  const r = await m.run(["sync", "--client", "claude-code"]);
  expect(r.code, r.stderr).toBe(0);
  const all = r.stdout + r.stderr;
  expect(all).not.toContain("fx-k3y-0123456789abcdef");
  expect(count(all, "readable by other")).toBe(1);
  expect(count(all, "chmod 600")).toBe(1);
  expect(r.stdout).toContain(
    `  ▲ ${code}: its shared servers go through mcp-twin's relay until the chmod above (no bridge token goes into a file others can read); \`mcp-twin sync\` after it gives them url entries to the bridge.\n`,
  );
}, 120_000);

test("tools on demand said as what it is: sync's relay line (never 'tools is shared', the why once), status and bridge status's servers behind it (never 'shared')", async () => {
  const { m, files } = await linuxMachine();
  const gemini = files[2]!;
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: { fixture: { package: inject("fixtureName") } },
    toolSearch: { clients: ["gemini-cli"] },
  });
  chmodSync(gemini, 0o644);
  const r = await m.run(["sync", "--client", "gemini-cli"]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(
    "      tools (tools on demand: search_tools and call_tool for the servers behind it): it goes through mcp-twin's relay (`mcp-twin connect`) in linux, so Gemini CLI needs mcp-twin in linux for it\n",
  );
  expect(r.stdout).not.toContain("tools is shared");
  expect(r.stdout).not.toContain("why a relay");
  expect(count(r.stdout, "Why the relays above")).toBe(1);
  // The bridge runs fixture behind tools on demand only: never listed as a shared server.
  const status = await m.run(["bridge", "status"]);
  expect(status.stdout).toMatch(
    /^ {2}on demand {2}fixture: behind tools on demand \(one process per client session\), (not running|running)/m,
  );
  expect(status.stdout).not.toMatch(/^ {2}shared /m);
  expect(status.stdout).not.toContain("fixture: session");
  const all = await m.run(["status"]);
  expect(all.stdout).toMatch(
    /^Behind tools on demand \(run in the bridge, not shared\)\n {2}fixture {2}one process per client session, (not running|running)/m,
  );
  expect(all.stdout).not.toContain("fixture  session");
}, 120_000);

test("Gemini CLI's notice says where mcp-twin writes Antigravity, or that it is not found", async () => {
  // Gemini CLI's file and a server run by command: the notice is the client's, whatever is shared
  // (no bridge to start, no package to install).
  const geminiMachine = () => {
    const m = createFakeMachine({ kind: "linux" });
    machines.push(m);
    const gemini = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    mkdirSync(path.dirname(gemini), { recursive: true });
    writeFileSync(gemini, "{}\n");
    writeManifest(m, { servers: { time: { command: "uvx", args: ["mcp-server-time"] } } });
    return { m };
  };
  const { m } = geminiMachine();
  const none = await m.run(["sync"]);
  expect(none.code, none.stderr).toBe(0);
  expect(none.stdout).toContain(
    "individuals moved to the Antigravity CLI (`agy`). Antigravity is not found in linux: mcp-twin writes it once it is installed (then `mcp-twin sync`).\n",
  );
  expect(none.stdout).not.toContain("which mcp-twin writes too");
  const { m: other } = geminiMachine();
  const agy = path.join(other.paths.linuxHome, ".gemini", "config", "mcp_config.json");
  mkdirSync(path.dirname(agy), { recursive: true });
  writeFileSync(agy, "{}\n");
  const both = await other.run(["sync"]);
  expect(both.code, both.stderr).toBe(0);
  expect(both.stdout).toContain(
    `individuals moved to the Antigravity CLI (\`agy\`). mcp-twin writes Antigravity here too: ${agy}.\n`,
  );
}, 120_000);
