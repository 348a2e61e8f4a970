/**
 * A shared server's entry in a client is the bridge's (its url, token and project header, or the
 * relay): a hand edit of it is not how the server starts. Sync inside fake WSL gives every form —
 * the relay for a readable file (Cursor in WSL), a url entry with its client token (Cursor on Windows), a project
 * server's url entry with its folder header (Claude Code), the relay (Claude Desktop). status, sync
 * and doctor suggest only what works for an edit there, and each suggestion is run: `adopt` of the
 * launch is refused (exit 2, the file named, nothing written), `sync --force` puts the entry back,
 * and a field of the client's own on such an entry is adopted into clientFields.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();

let machine: FakeMachine;
let wslCursor: string;

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const manifestFile = () => path.join(machine.paths.home, "mcp-twin.jsonc");
const stateFile = () => path.join(machine.paths.home, "state.json");

/** Each form of a shared server's entry: the server, where (as --from names it), its file (and as shown). */
const forms = () =>
  [
    {
      form: "relay for a readable file",
      server: "memory",
      from: "wsl:Ubuntu:cursor",
      file: wslCursor,
      shown: wslCursor,
    },
    {
      form: "url with token",
      server: "memory",
      from: "windows:cursor",
      file: machine.paths.cursorConfig,
      shown: "C:\\Users\\alice\\.cursor\\mcp.json",
    },
    {
      form: "project url with header",
      server: "notes",
      from: "wsl:Ubuntu:claude-code",
      file: machine.paths.claudeCodeConfig,
      shown: machine.paths.claudeCodeConfig,
    },
    {
      form: "relay",
      server: "memory",
      from: "windows:claude-desktop",
      file: machine.paths.claudeDesktopConfig,
      shown: "C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
    },
  ] as const;

function editEntry(file: string, server: string, edit: (entry: Record<string, unknown>) => void): void {
  const config = json(file);
  edit(config.mcpServers[server]);
  writeFileSync(file, JSON.stringify(config, null, 2));
}

interface Check {
  id: string;
  status: string;
  env?: string;
  client?: string;
  server?: string;
  fix?: string;
}

beforeAll(async () => {
  const port = await freePort();
  machine = createFakeMachine({ registryUrl: inject("registryUrl"), procNet: true });
  wslCursor = path.join(machine.paths.linuxHome, ".cursor", "mcp.json");
  mkdirSync(path.dirname(wslCursor), { recursive: true });
  writeFileSync(wslCursor, "{}\n");
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
  writeManifest(machine, {
    bridge: { port },
    servers: {
      memory: { package: inject("fixtureName"), share: "machine" },
      notes: { package: inject("fixtureName"), share: "project" },
    },
  });
  const first = await machine.run(["sync"]);
  expect(first.code, first.stdout + first.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  if (machine) await machine.run(["bridge", "stop"]).catch(() => undefined);
  machine?.cleanup();
});

describe("a hand edit of a shared server's entry", () => {
  test("every form is the bridge's: the url with its token, the project header, the relay", () => {
    const url = (name: string) =>
      expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/share/${name}$`));
    // Cursor leaves its file readable by others: the relay, which holds no token.
    expect(json(wslCursor).mcpServers.memory.args.slice(-4)).toEqual([
      "connect",
      expect.stringMatching(/\/share\/memory$/),
      "--as",
      "wsl:Ubuntu:cursor",
    ]);
    expect(json(machine.paths.cursorConfig).mcpServers.memory).toEqual({
      url: url("memory"),
      headers: { Authorization: expect.stringMatching(/^Bearer mt2\.memory\./) },
    });
    expect(json(machine.paths.claudeCodeConfig).mcpServers.notes).toEqual({
      type: "http",
      url: url("notes"),
      headers: {
        Authorization: expect.stringMatching(/^Bearer mt2\.notes\./),
        "Mcp-Twin-Project": "${PWD}",
      },
    });
    const relay = json(machine.paths.claudeDesktopConfig).mcpServers.memory;
    expect(relay.args.slice(-4)).toEqual([
      "connect",
      expect.stringMatching(/\/share\/memory$/),
      "--as",
      "windows:claude-desktop",
    ]);
  });

  test("a key added to each: never `adopt`; adopt anyway is exit 2 naming the file, nothing written; `sync --force` puts it back", async () => {
    const before = forms().map((f) => json(f.file).mcpServers[f.server]);
    for (const f of forms())
      editEntry(f.file, f.server, (e) => {
        e.note = "mine";
      });
    // Claude Code's own field beside the edit: kept, but adopt cannot take the entry while its launch differs.
    editEntry(machine.paths.claudeCodeConfig, "notes", (e) => {
      e.alwaysLoad = true;
    });

    const status = await machine.run(["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain("mcp-twin adopt");
    for (const f of forms()) {
      const [env, client] = [
        f.from.slice(0, f.from.lastIndexOf(":")),
        f.from.slice(f.from.lastIndexOf(":") + 1),
      ];
      expect(status.stdout).toContain(
        `${f.server} in ${env} ${client}: edited by hand. ${f.server} is shared, so this entry is the bridge's and the manifest has no place for the edit: put mcp-twin's entry back (\`mcp-twin sync --force\`), or leave it (sync leaves it alone).`,
      );
    }
    expect(status.stdout).toContain(
      "notes in wsl:Ubuntu claude-code: keeps alwaysLoad (the client's own; sync keeps it).\n",
    );

    const sync = await machine.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).not.toContain("mcp-twin adopt");
    expect(sync.stdout).toContain(
      "memory: edited by hand since the last sync; kept (memory is shared, so this entry is the bridge's and the manifest has no place for the edit: --force puts the bridge's entry back)",
    );

    const doctor = await machine.run(["doctor", "--no-probe", "--json"]);
    const drifted = (JSON.parse(doctor.stdout).checks as Check[]).filter(
      (c) => c.id === "drift.entry" && c.status === "warn",
    );
    // Doctor says one finding once for the clients of an environment that share it (Windows' two).
    expect(drifted.map((c) => `${c.env}:${c.client ?? "*"} ${c.server}`).sort()).toEqual([
      "windows:* memory",
      "wsl:Ubuntu:claude-code notes",
      "wsl:Ubuntu:cursor memory",
    ]);
    for (const c of drifted) {
      expect(c.fix).not.toContain("adopt");
      expect(c.fix).toContain("`mcp-twin sync --force`");
    }

    const manifest = readFileSync(manifestFile(), "utf8");
    const state = readFileSync(stateFile(), "utf8");
    for (const f of forms()) {
      const r = await machine.run(["adopt", f.server, "--from", f.from]);
      expect(r.code, `${f.form}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(
        `✖ ${f.server} in ${f.from} (${f.shown}) cannot be taken into the manifest: ${f.server} is shared, so its entry there is the bridge's (${f.form.startsWith("relay") ? "mcp-twin's relay to the bridge, which sync writes" : "the url entry to the bridge that sync writes"}), not how ${f.server} starts; the manifest has no place for an edit of it ("note" added).\n`,
      );
      expect(r.stderr).toContain("`mcp-twin sync --force`");
      expect(r.stderr).not.toContain("mcp-twin.jsonc:");
      expect(r.stderr).not.toContain("share only applies");
      expect(readFileSync(manifestFile(), "utf8")).toBe(manifest);
      expect(readFileSync(stateFile(), "utf8")).toBe(state);
    }

    const force = await machine.run(["sync", "--force"]);
    expect(force.code, force.stderr).toBe(0);
    forms().forEach((f, i) => {
      const { alwaysLoad, ...entry } = json(f.file).mcpServers[f.server];
      expect(entry, f.form).toEqual(before[i]);
      // The client's own field stays (sync keeps it).
      if (f.server === "notes") expect(alwaysLoad).toBe(true);
    });
    const after = await machine.run(["status", "--json"]);
    const rows = JSON.parse(after.stdout) as Array<{ state: string }>;
    expect(rows.every((r) => r.state === "synced")).toBe(true);
  }, 240_000);

  test("a field of the client's own (alwaysLoad): status's `adopt` takes it into clientFields, the launch untouched, and sync writes it", async () => {
    editEntry(machine.paths.claudeCodeConfig, "memory", (e) => {
      e.alwaysLoad = true;
    });
    const status = await machine.run(["status"]);
    const suggested = "mcp-twin adopt memory --from wsl:Ubuntu:claude-code";
    expect(status.stdout).toContain(
      `memory in wsl:Ubuntu claude-code: keeps alwaysLoad (the client's own; sync keeps it). \`${suggested}\` puts it in the manifest's clientFields for every claude-code entry.`,
    );
    const adopt = await machine.run(suggested.split(" ").slice(1));
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.stdout).toContain("clientFields.claude-code.alwaysLoad set");
    expect(json(manifestFile()).servers.memory).toEqual({
      package: inject("fixtureName"),
      share: "machine",
      clientFields: { "claude-code": { alwaysLoad: true } },
    });
    const sync = await machine.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
    const entry = json(machine.paths.claudeCodeConfig).mcpServers.memory;
    expect(entry).toEqual({
      type: "http",
      url: expect.stringMatching(/\/share\/memory$/),
      headers: { Authorization: expect.stringMatching(/^Bearer mt2\.memory\./) },
      alwaysLoad: true,
    });
    const again = await machine.run(["status"]);
    expect(again.stdout).not.toContain("memory in wsl:Ubuntu claude-code: keeps");
    const rows = JSON.parse((await machine.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(rows.every((r) => r.state === "synced")).toBe(true);
  }, 180_000);

  test("an entry mcp-twin did not write under a shared server's name: never `adopt`; `sync --force` takes it over", async () => {
    const bridgeEntry = json(wslCursor).mcpServers.memory;
    // Written by hand (state records nothing of it there): another server's url under the same name.
    editEntry(wslCursor, "memory", (e) => {
      e.url = "https://example.com/mcp";
    });
    const state = json(stateFile());
    for (const t of Object.values(state.targets as Record<string, { path: string; entries: object }>))
      if (t.path === wslCursor) delete (t.entries as Record<string, unknown>).memory;
    writeFileSync(stateFile(), JSON.stringify(state, null, 2));

    const status = await machine.run(["status"]);
    // (notes keeps alwaysLoad from above: its adopt, which works, is still offered.)
    expect(status.stdout).not.toContain("mcp-twin adopt memory");
    expect(status.stdout).toContain(
      "memory in wsl:Ubuntu cursor: not written by mcp-twin. memory is shared, so its entry here is the bridge's and the manifest has no place for this one: replace it with the bridge's (`mcp-twin sync --force`), or leave it.",
    );
    const sync = await machine.run(["sync"]);
    expect(sync.stdout).not.toContain("mcp-twin adopt memory");
    expect(sync.stdout).toContain(
      "memory: an entry mcp-twin did not write has this name; left alone (memory is shared, so its entry here is the bridge's and the manifest has no place for this one: --force takes it over)",
    );
    const doctor = await machine.run(["doctor", "--no-probe", "--json", "--client", "cursor"]);
    const foreign = (JSON.parse(doctor.stdout).checks as Check[]).find(
      (c) => c.id === "drift.entry" && c.status === "warn",
    );
    expect(foreign?.fix).toBe(
      "memory is shared, so its entry here is the bridge's and the manifest has no place for this one: run `mcp-twin sync --force` to replace it with the bridge's entry, or leave it.",
    );

    const manifest = readFileSync(manifestFile(), "utf8");
    const adopt = await machine.run(["adopt", "memory", "--from", "wsl:Ubuntu:cursor"]);
    expect(adopt.code, adopt.stdout).toBe(2);
    expect(adopt.stderr).toContain(
      `✖ memory in wsl:Ubuntu:cursor (${wslCursor}) cannot be taken into the manifest: memory is shared, so its entry there is the bridge's (mcp-twin's relay to the bridge, which sync writes), not how memory starts; the manifest has no place for the entry written there instead.\n`,
    );
    expect(readFileSync(manifestFile(), "utf8")).toBe(manifest);

    const force = await machine.run(["sync", "--force"]);
    expect(force.code, force.stderr).toBe(0);
    expect(json(wslCursor).mcpServers.memory).toEqual(bridgeEntry);
  }, 180_000);
});
