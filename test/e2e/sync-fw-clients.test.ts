/**
 * Zed, opencode, the Kilo CLI, Goose, Amp, Continue and Devin for Terminal end to end on a fake Linux machine, each on a file as
 * people write it (comments, CRLF, trailing commas where the format takes them, other settings and
 * servers): init finds them, sync writes each one's own entry shape keeping every byte, a second
 * sync writes nothing, status and doctor read the entry as the client does (the server starts),
 * import takes the person's own server, and uninstall gives the file back byte for byte.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { clientById } from "../../src/core/clients/index.js";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor, pick } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

interface Case {
  id: string;
  /** The user file under the Linux home. */
  file: string[];
  /** Where the servers are in it. */
  key: string;
  /** The person's file: a server of theirs named `mine` that runs `node <script>`. */
  person(node: string, script: string): string;
  /** The entry sync should write for `node <script>`, as parsed. */
  entry(node: string, script: string): Record<string, unknown>;
  yaml?: true;
  /** Servers are a list of items named by `name` (Continue). */
  list?: true;
}

const CRLF = (lines: string[]) => `${lines.join("\r\n")}\r\n`;

const CASES: Case[] = [
  {
    id: "zed",
    file: [".config", "zed", "settings.json"],
    key: "context_servers",
    person: (node, script) =>
      CRLF([
        "// Zed settings: my whole editor",
        "{",
        '  "theme": "One Dark",',
        '  "vim_mode": true, // yes',
        '  "context_servers": {',
        `    "mine": { "source": "custom", "command": "${node}", "args": ["${script}"], "enabled": true },`,
        "  },",
        "}",
      ]),
    entry: (node, script) => ({ source: "custom", command: node, args: [script] }),
  },
  {
    id: "opencode",
    file: [".config", "opencode", "opencode.json"],
    key: "mcp",
    person: (node, script) =>
      CRLF([
        "{",
        '  "$schema": "https://opencode.ai/config.json",',
        '  "theme": "tokyonight", /* mine */',
        '  "mcp": {',
        `    "mine": { "type": "local", "command": ["${node}", "${script}"], "enabled": true },`,
        "  },",
        "}",
      ]),
    entry: (node, script) => ({ type: "local", command: [node, script] }),
  },
  {
    id: "kilo-code",
    file: [".config", "kilo", "kilo.jsonc"],
    key: "mcp",
    person: (node, script) =>
      CRLF([
        "{",
        '\t"$schema": "https://app.kilo.ai/config.json",',
        "\t// my servers",
        '\t"mcp": {',
        `\t\t"mine": { "type": "local", "command": ["${node}", "${script}"] },`,
        "\t},",
        '\t"permission": { "bash": "ask" },',
        "}",
      ]),
    entry: (node, script) => ({ type: "local", command: [node, script] }),
  },
  {
    id: "amp",
    file: [".config", "amp", "settings.json"],
    key: "amp.mcpServers",
    person: (node, script) =>
      CRLF([
        "{",
        '  "amp.notifications.enabled": false,',
        '  "amp.mcpServers": {',
        `    "mine": { "command": "${node}", "args": ["${script}"] }, // mine`,
        "  },",
        '  "amp.mcpServers.extra": 1,',
        "}",
      ]),
    entry: (node, script) => ({ command: node, args: [script] }),
  },
  {
    id: "goose",
    file: [".config", "goose", "config.yaml"],
    key: "extensions",
    yaml: true,
    person: (node, script) =>
      CRLF([
        "# my goose",
        "GOOSE_PROVIDER: anthropic   # keep",
        "extensions:",
        "  developer:",
        "    bundled: true",
        "    enabled: true",
        "    name: developer",
        "    timeout: 300",
        "    type: builtin",
        "  mine:",
        "    enabled: true # on for now",
        "    name: mine",
        "    type: stdio",
        `    cmd: ${node}`,
        `    args: ["${script}"]`,
        "    timeout: 60",
        "GOOSE_MODE: smart_approve",
      ]),
    entry: (node, script) => ({
      name: "fx",
      enabled: true,
      timeout: 300,
      description: "",
      type: "stdio",
      cmd: node,
      args: [script],
    }),
  },
  {
    id: "continue",
    file: [".continue", "config.yaml"],
    key: "mcpServers",
    yaml: true,
    list: true,
    person: (node, script) =>
      CRLF([
        "name: My Config # mine",
        "version: 0.0.1",
        "schema: v1",
        "models:",
        "  - name: local",
        "    provider: ollama",
        "    model: qwen",
        "mcpServers:",
        "  - name: mine # my own",
        `    command: ${node}`,
        `    args: ["${script}"]`,
        "    connectionTimeout: 20000",
        "rules: []",
      ]),
    entry: (node, script) => ({ command: node, args: [script] }),
  },
  {
    // Its servers' own file (3000.3 and later), a person's server as `devin mcp add -s user` writes it.
    id: "devin",
    file: [".config", "devin", "mcp_config.json"],
    key: "mcpServers",
    person: (node, script) =>
      CRLF([
        "{",
        '  "mcpServers": {',
        '    "notion": { "url": "https://mcp.notion.com/mcp", "transport": "http" },',
        `    "mine": { "command": "${node}", "args": ["${script}"] }`,
        "  }",
        "}",
      ]),
    entry: (node, script) => ({ command: node, args: [script] }),
  },
];

function entriesOf(c: Case, text: string): Record<string, unknown> {
  if (c.yaml) {
    const value = (parseYaml(text.replace(/^\uFEFF/, "")) as Record<string, unknown>)[c.key] ?? {};
    if (!c.list) return value as Record<string, unknown>;
    return Object.fromEntries(
      (value as Array<Record<string, unknown>>).map(({ name, ...rest }) => [String(name), rest]),
    );
  }
  return readEntries(parseConfig(text, "f"), [c.key], "f");
}

function machineWith(c: Case): { m: FakeMachine; file: string; before: string } {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false, claudeCode: false });
  const file = path.join(m.paths.linuxHome, ...c.file);
  mkdirSync(path.dirname(file), { recursive: true });
  const before = c.person(process.execPath, inject("fixtureScript"));
  writeFileSync(file, before);
  writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
  return { m, file, before };
}

describe.each(CASES)("$id on a person's file", (c) => {
  test("sync writes its entry, every other byte kept; again: nothing; status and doctor read it; uninstall gives the bytes back", async () => {
    const { m, file, before } = machineWith(c);
    try {
      const found = await m.run(["init", "--dry-run", "--yes"]);
      expect(found.stdout).toMatch(new RegExp(`linux .*${nameOf(c.id)}`));
      // A client that moved (Goose's removed types, Amp's package, Continue's end) says so where
      // it is met: init, and the sync that writes it, once; not again on a sync that writes nothing.
      const notice = clientById(c.id)?.notice;
      if (notice) expect(found.stdout).toContain(notice);

      const first = await m.run(["sync"]);
      expect(first.code, first.stderr).toBe(0);
      if (notice) expect(first.stdout.split(notice).length - 1, first.stdout).toBe(1);
      const written = readFileSync(file, "utf8");
      // Every line the person wrote is still there, in order (a separator may follow their last
      // entry now, in a file that takes no trailing comma: ours comes after it).
      const lines = written.split("\r\n");
      let at = 0;
      for (const line of before.split("\r\n")) {
        at = lines.findIndex((l, i) => i >= at && (l === line || l === `${line},`));
        expect(at, line).toBeGreaterThanOrEqual(0);
      }
      expect(written.replace(/\r\n/g, "")).not.toContain("\n");
      const entries = entriesOf(c, written);
      expect(entries.fx).toEqual(c.entry(process.execPath, inject("fixtureScript")));
      expect(entries.mine).toBeDefined();

      const second = await m.run(["sync"]);
      expect(second.code, second.stderr).toBe(0);
      if (notice) expect(second.stdout).not.toContain(notice);
      expect(readFileSync(file, "utf8")).toBe(written);

      const status = await m.run(["status", "--json"]);
      const rows = (
        JSON.parse(status.stdout) as Array<{ client: string; server: string; state: string }>
      ).filter((r) => r.client === c.id && r.server === "fx");
      expect(rows.map((r) => r.state)).toEqual(["synced"]);

      const checked = await doctor(m, ["--client", c.id, "--server", "fx"]);
      const probes = pick(checked, "probe.handshake").filter((p) => p.status !== "skip");
      expect(probes.length, JSON.stringify(checked.checks, null, 1)).toBeGreaterThan(0);
      for (const p of probes) expect(p.status, p.message).toBe("pass");
      expect(pick(checked, "drift.entry").filter((d) => d.status === "fail")).toEqual([]);
      // doctor says the move too (Amp's package, Continue's end): one
      // warning for the client, its own line (where to go).
      // Goose's only where its file holds a removed extension type (this one holds none).
      const moved = ["amp", "continue"].includes(c.id);
      expect(pick(checked, "client.moved").map((x) => [x.client, x.status, x.message])).toEqual(
        moved ? [[c.id, "warn", notice]] : [],
      );
      if (moved) {
        const read = await m.run(["doctor", "--no-probe", "--client", c.id]);
        expect(read.stdout.split(notice ?? "").length - 1, read.stdout).toBe(1);
      }

      const gone = await m.run(["uninstall", "--yes"]);
      expect(gone.code, gone.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(before);
    } finally {
      m.cleanup();
    }
  }, 180_000);

  test("import takes the person's own server from it", async () => {
    const { m, file, before } = machineWith(c);
    try {
      writeManifest(m, { servers: {} });
      const r = await m.run(["import", "--yes", "--client", c.id]);
      expect(r.code, r.stderr).toBe(0);
      const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
      expect(manifest).toContain('"mine"');
      expect(manifest).toContain(inject("fixtureScript"));
      expect(readFileSync(file, "utf8")).toBe(before);
    } finally {
      m.cleanup();
    }
  });

  test("a file that does not parse: exit 2 with its line:column, nothing written", async () => {
    const { m, file } = machineWith(c);
    try {
      const broken = c.yaml ? `${c.key}:\n  fx: [1\nother: 2\n` : '{\n  "mcp": {\n    "x": [1\n}\n';
      writeFileSync(file, broken);
      const r = await m.run(["sync", "--client", c.id]);
      expect(r.code).toBe(2);
      expect(`${r.stdout}${r.stderr}`).toMatch(
        new RegExp(`${path.basename(file).replace(".", "\\.")}:\\d+:\\d+`),
      );
      expect(readFileSync(file, "utf8")).toBe(broken);
      expect(existsSync(`${file}.tmp`)).toBe(false);
    } finally {
      m.cleanup();
    }
  });
});

function nameOf(id: string): string {
  const names: Record<string, string> = {
    zed: "Zed",
    opencode: "opencode",
    "kilo-code": "Kilo Code",
    amp: "Amp",
    goose: "Goose",
    continue: "Continue",
    devin: "Devin for Terminal",
  };
  return names[id] ?? id;
}
