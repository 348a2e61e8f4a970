/**
 * Devin for Terminal, Kiro, LM Studio, Qwen Code and Auggie end to end on fake machines: sync
 * writes each one's own file in its own form, keeping every byte the user wrote (comments, CRLF,
 * BOM, other keys and servers); a second sync writes nothing; each entry starts the server; import,
 * doctor, restore and uninstall know them; init finds them where they are present.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parseConfig, readEntries } from "../../src/core/formats/json/merge.js";
import { doctor } from "../doctor/helpers.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";
import { importJson } from "../import/helpers.js";

runInProcessByDefault();

const SECRET = "fx-c11en75a7e57a11e";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

interface Seeded {
  client: string;
  env: "wsl:Ubuntu" | "windows";
  /** The file, as this test process opens it. */
  file: string;
  text: string;
  /** The entry the client's form gives the fixture server, beside `command`/`args`/`env`. */
  extra?: Record<string, unknown>;
}

const CRLF = (lines: string[]) => `${lines.join("\r\n")}\r\n`;

/** Hand-written files as people have them, each in a form its client reads. */
function seed(m: FakeMachine): Seeded[] {
  const linux = m.paths.linuxHome;
  const profile = m.paths.profile;
  const files: Seeded[] = [
    {
      // Qwen Code reads comments and a BOM (not a trailing comma); its own keys beside ours.
      client: "qwen-code",
      env: "wsl:Ubuntu",
      file: path.join(linux, ".qwen", "settings.json"),
      text: `\uFEFF${CRLF([
        "// my Qwen settings",
        "{",
        '  "model": { "name": "qwen3-coder-plus" },',
        '  "mcpServers": {',
        "    // mine, with Qwen's own tool list",
        '    "mine": { "command": "uvx", "args": ["mcp-server-time"], "includeTools": ["now"] }',
        "  },",
        '  "$version": 4',
        "}",
      ])}`,
    },
    {
      // Auggie reads comments and trailing commas (a BOM makes it read nothing: none here).
      client: "augment",
      env: "wsl:Ubuntu",
      file: path.join(linux, ".augment", "settings.json"),
      text: CRLF([
        "// Auggie",
        "{",
        '  "model": "sonnet4.5",',
        '  "mcpServers": {',
        '    "mine": { "type": "stdio", "command": "uvx", "args": ["mcp-server-time"], "disabled": true, },',
        "  },",
        "}",
      ]),
      extra: { type: "stdio" },
    },
    {
      // Devin's servers file (3000.3 and later), a remote server as `devin mcp add` writes it.
      client: "devin",
      env: "wsl:Ubuntu",
      file: path.join(linux, ".config", "devin", "mcp_config.json"),
      text: [
        "{",
        '  "mcpServers": {',
        '    "notion": { "url": "https://mcp.notion.com/mcp", "transport": "http" }',
        "  }",
        "}",
        "",
      ].join("\n"),
    },
    {
      // Kiro on Windows: its documented fields on the user's own server.
      client: "kiro",
      env: "windows",
      file: path.join(profile, ".kiro", "settings", "mcp.json"),
      text: CRLF([
        "{",
        '  "mcpServers": {',
        '    "aws-docs": {',
        '      "command": "uvx",',
        '      "args": ["awslabs.aws-documentation-mcp-server@latest"],',
        '      "disabled": false,',
        '      "autoApprove": ["search_documentation"],',
        '      "disabledTools": ["read_documentation"]',
        "    }",
        "  }",
        "}",
      ]),
    },
    {
      // LM Studio on Windows, in its home folder.
      client: "lm-studio",
      env: "windows",
      file: path.join(profile, ".lmstudio", "mcp.json"),
      text: CRLF([
        "{",
        '  "mcpServers": {',
        '    "hf-mcp-server": { "url": "https://huggingface.co/mcp", "headers": { "Authorization": "Bearer <YOUR_HF_TOKEN>" } }',
        "  }",
        "}",
      ]),
    },
  ];
  for (const s of files) {
    mkdirSync(path.dirname(s.file), { recursive: true });
    writeFileSync(s.file, s.text);
  }
  return files;
}

interface TargetRow {
  client: string;
  env: string;
  path: string;
  action: string;
  added: string[];
}
const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { targets: TargetRow[] };
};
const read = (file: string) => readFileSync(file, "utf8");
const servers = (file: string) => readEntries(parseConfig(read(file), file), ["mcpServers"], file);
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

async function expectStarts(m: FakeMachine, entry: Record<string, unknown>): Promise<void> {
  const session = await handshake(entry as { command: string; args: string[]; env: Record<string, string> }, {
    resolveCommand: onDrive(m),
    baseEnv: { PATH: m.env.PATH ?? "" },
  });
  try {
    expect(session.tools).toContain("echo");
    expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
      set: true,
      length: SECRET.length,
    });
  } finally {
    await session.close();
  }
}

/** Every line the user wrote is still in the file, in order. */
function keepsLines(written: string, original: string): void {
  const lines = written.replace(/^\uFEFF/, "").split(/\r?\n/);
  let at = 0;
  for (const line of original.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    // A separator may follow the user's last entry now: ours comes after it.
    const next = lines.findIndex((l, i) => i >= at && (l === line || l === `${line},`));
    at = next;
    expect(at, line).toBeGreaterThanOrEqual(0);
  }
}

describe("sync writes each client's own file, keeping every byte the user wrote", () => {
  test("five hand-written files on both sides: the fixture's entry in each one's form, starting the server; a second sync writes nothing; uninstall gives each file back", async () => {
    const m = setup();
    const seeded = seed(m);
    const report = await syncJson(m);
    for (const s of seeded) {
      const row = report.targets.find((t) => t.client === s.client && t.env === s.env);
      expect(row, s.client).toMatchObject({ action: "updated", added: ["fixture"] });
      const written = read(s.file);
      keepsLines(written, s.text);
      expect(written.startsWith("\uFEFF"), s.client).toBe(s.text.startsWith("\uFEFF"));
      expect(written.includes("\r\n"), s.client).toBe(s.text.includes("\r\n"));
      const entry = servers(s.file).fixture as Record<string, unknown>;
      expect(entry, s.client).toMatchObject({ ...s.extra, env: { FIXTURE_TOKEN: SECRET } });
      expect(Object.keys(entry).sort(), s.client).toEqual(
        ["args", "command", "env", ...Object.keys(s.extra ?? {})].sort(),
      );
      await expectStarts(m, entry);
    }
    expect(JSON.stringify(report)).not.toContain(SECRET);

    const before = seeded.map((s) => read(s.file));
    const second = await syncJson(m);
    for (const s of seeded)
      expect(second.targets.find((t) => t.client === s.client && t.env === s.env)?.action, s.client).toBe(
        "unchanged",
      );
    expect(seeded.map((s) => read(s.file))).toEqual(before);

    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ client: string; env: string; state: string }>;
    for (const s of seeded)
      expect(rows.find((r) => r.client === s.client && r.env === s.env)?.state, s.client).toBe("synced");

    const u = await m.run(["uninstall", "--yes"]);
    expect(u.code, u.stderr).toBe(0);
    for (const s of seeded) expect(read(s.file), s.client).toBe(s.text);
  }, 240_000);

  test("restore puts a file back as it was before sync changed it", async () => {
    const m = setup();
    const seeded = seed(m);
    await syncJson(m);
    for (const s of seeded.filter((x) => x.env === "wsl:Ubuntu")) {
      const r = await m.run(["restore", s.file, "--yes"]);
      expect(r.code, `${s.client}: ${r.stderr}`).toBe(0);
      expect(read(s.file), s.client).toBe(s.text);
    }
  });

  test("import finds the servers already in each client's file", async () => {
    const m = setup();
    seed(m);
    const run = await importJson(m, ["--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    const found = (name: string) => run.server(name);
    expect(found("notion")).toBeDefined();
    expect(found("aws-docs")).toBeDefined();
    expect(found("hf-mcp-server")).toBeDefined();
    // Qwen's `mine` and Auggie's disabled `mine` fold into one name, or one is left as it is.
    expect(run.json.servers.map((s) => s.name)).toContain("mine");
  });

  test("doctor checks each entry with its own handshake, and says what the clients' parsers reject", async () => {
    const m = setup();
    const seeded = seed(m);
    await syncJson(m);
    for (const s of seeded) {
      // One client at a time: doctor probes a launch once, under the first client that has it.
      const run = await doctor(m, ["--client", s.client]);
      const probe = run.checks.find(
        (c) =>
          c.id === "probe.handshake" && c.client === s.client && c.env === s.env && c.server === "fixture",
      );
      expect(probe?.status, s.client).toBe("pass");
      expect(
        run.checks.filter((c) => c.id === "config.strict-json" && c.status !== "pass"),
        s.client,
      ).toEqual([]);
    }

    // A trailing comma in Qwen's file, a BOM in Auggie's: each client reads none of it.
    const qwen = seeded.find((s) => s.client === "qwen-code");
    const aug = seeded.find((s) => s.client === "augment");
    if (!qwen || !aug) throw new Error("seeded files");
    writeFileSync(qwen.file, read(qwen.file).replace('"$version": 4', '"$version": 4,'));
    writeFileSync(aug.file, `\uFEFF${read(aug.file)}`);
    const commaLine =
      read(qwen.file)
        .split("\n")
        .findIndex((l) => l.includes('"$version": 4,')) + 1;
    const bad = await doctor(m, ["--no-probe"]);
    const rejected = bad.checks.filter((c) => c.id === "config.strict-json");
    expect(rejected).toMatchObject([
      {
        client: "qwen-code",
        status: "fail",
        message: expect.stringMatching(
          new RegExp(`Qwen Code rejects a trailing comma in .*\\(line ${commaLine}, column 16\\)`),
        ),
      },
      {
        client: "augment",
        status: "fail",
        message: expect.stringContaining("reads none of"),
      },
    ]);
  }, 240_000);

  test("init finds the clients that are present, on each side", async () => {
    const m = setup();
    seed(m);
    const init = await m.run(["init", "--yes", "--dry-run"]);
    expect(init.code, init.stderr).toBe(0);
    for (const name of ["Qwen Code", "Auggie (Augment CLI)", "Devin for Terminal", "Kiro", "LM Studio"])
      expect(init.stdout, name).toContain(name);
  });
});

describe("where each client keeps its file", () => {
  test("LM Studio's home pointer and QWEN_HOME move the file; absent clients get nothing unless named", async () => {
    const m = setup({ kind: "linux" });
    const home = m.paths.linuxHome;
    const lmHome = path.join(m.root, "models-disk", "lmstudio");
    mkdirSync(lmHome, { recursive: true });
    writeFileSync(path.join(home, ".lmstudio-home-pointer"), `${lmHome}\n`);
    const qwenHome = path.join(m.root, "qwen-home");
    mkdirSync(qwenHome, { recursive: true });
    const report = await syncJson(m);
    const env = { QWEN_HOME: qwenHome };
    const withQwen = JSON.parse((await m.run(["sync", "--json"], { env })).stdout) as {
      targets: TargetRow[];
    };
    expect(report.targets.find((t) => t.client === "lm-studio")?.path).toBe(path.join(lmHome, "mcp.json"));
    expect(servers(path.join(lmHome, "mcp.json")).fixture).toMatchObject({ command: "/usr/bin/node" });
    expect(withQwen.targets.find((t) => t.client === "qwen-code")?.path).toBe(
      path.join(qwenHome, "settings.json"),
    );
    for (const absent of ["devin", "kiro", "augment"])
      expect(
        report.targets.some((t) => t.client === absent),
        absent,
      ).toBe(false);
    expect(existsSync(path.join(home, ".kiro"))).toBe(false);

    // Named, a client's file is created where it runs.
    const named = await syncJson(m, "--client", "kiro", "--client", "devin", "--client", "augment");
    expect(named.targets.map((t) => [t.client, t.path, t.action])).toEqual([
      ["devin", path.join(home, ".config", "devin", "mcp_config.json"), "created"],
      ["kiro", path.join(home, ".kiro", "settings", "mcp.json"), "created"],
      ["augment", path.join(home, ".augment", "settings.json"), "created"],
    ]);
  });

  test("remote servers in each client's form: Qwen's httpUrl and url, Devin's transport, Kiro's relay for SSE", async () => {
    const m = setup({ kind: "linux" });
    const home = m.paths.linuxHome;
    const file = (...p: string[]) => path.join(home, ...p);
    for (const dir of [".qwen", ".augment", ".kiro", ".lmstudio", ".config/devin"])
      mkdirSync(file(dir), { recursive: true });
    writeFileSync(
      path.join(m.paths.home, "mcp-twin.jsonc"),
      JSON.stringify({
        servers: {
          api: { url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
          events: { url: "https://mcp.example.com/sse", transport: "sse" },
        },
      }),
    );
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(servers(file(".qwen", "settings.json"))).toEqual({
      api: { httpUrl: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
      events: { url: "https://mcp.example.com/sse" },
    });
    expect(servers(file(".augment", "settings.json"))).toEqual({
      api: { type: "http", url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
      events: { type: "sse", url: "https://mcp.example.com/sse" },
    });
    expect(servers(file(".config", "devin", "mcp_config.json"))).toEqual({
      api: { url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
      events: { url: "https://mcp.example.com/sse", transport: "sse" },
    });
    // Devin's settings file is not written: it moves servers found there into mcp_config.json.
    expect(existsSync(file(".config", "devin", "config.json"))).toBe(false);
    expect(servers(file(".lmstudio", "mcp.json"))).toEqual({
      api: { url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } },
      events: { url: "https://mcp.example.com/sse" },
    });
    const kiro = servers(file(".kiro", "settings", "mcp.json"));
    expect(kiro.api).toEqual({ url: "https://mcp.example.com/mcp", headers: { "X-Team": "blue" } });
    // No SSE form in Kiro's docs: the relay speaks SSE for it.
    expect(kiro.events).toMatchObject({ command: "/usr/bin/node" });
    expect((kiro.events as { args: string[] }).args).toEqual(
      expect.arrayContaining(["connect", "https://mcp.example.com/sse", "--transport", "sse"]),
    );
  });
});

describe("project files", () => {
  test("Qwen Code, Kiro and Auggie project files get `${VAR}` references, never the secret's value", async () => {
    const m = setup({ kind: "linux" });
    const home = m.paths.linuxHome;
    for (const dir of [".qwen", ".kiro", ".augment"]) mkdirSync(path.join(home, dir), { recursive: true });
    const project = path.join(home, "app");
    mkdirSync(project, { recursive: true });
    const r = await m.run([
      "sync",
      "--project",
      project,
      "--client",
      "qwen-code",
      "--client",
      "kiro",
      "--client",
      "augment",
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const file of [
      path.join(project, ".qwen", "settings.json"),
      path.join(project, ".kiro", "settings", "mcp.json"),
      path.join(project, ".augment", "settings.json"),
    ]) {
      expect((servers(file).fixture as { env: unknown }).env, file).toEqual({
        FIXTURE_TOKEN: "${FIXTURE_TOKEN}",
      });
      expect(read(file), file).not.toContain(SECRET);
    }
    // Devin's and LM Studio's project files are not written.
    expect(existsSync(path.join(project, ".devin"))).toBe(false);
  });
});
