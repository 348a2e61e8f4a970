/**
 * One rule for every name a user types (core/selectors.ts): a `--client`, an `--env`, a server, a
 * restore target or a secret that is not known is exit 2 — before any work, nothing written or
 * installed — with the known names and a did-you-mean, worded the same way by every command.
 * Driven through the built binary on a fake Windows PC with WSL (wsl:Ubuntu and windows).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { HONOURS } from "../../src/cli/build-program.js";
import { CLIENT_IDS } from "../../src/core/clients/ids.js";
import {
  createFakeMachine,
  type FakeMachine,
  type RunResult,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";

/** The hint lists every client id, in the table's order (the list itself is the schema's). */
const KNOWN_CLIENTS = `Known clients: ${CLIENT_IDS.join(", ")}.`;

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

let m: FakeMachine;

beforeAll(() => {
  m = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(m, {
    servers: {
      fixture: {
        package: `${inject("fixtureName")}@1.0.0`,
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  });
  writeSecrets(m, { FIXTURE_TOKEN: "fx-0a1b2c3d4e5f6789" });
});
afterAll(() => m?.cleanup());

/** Every file mcp-twin could write: the home, both npm prefixes, the client configs. */
function snapshot(options: { withCache?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (!options.withCache && p === path.join(m.paths.home, "cache")) return;
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else out[p] = createHash("sha256").update(readFileSync(p)).digest("hex");
  };
  for (const p of [
    m.paths.home,
    m.paths.linuxPrefix,
    m.paths.windowsPrefix,
    m.paths.claudeDesktopConfig,
    m.paths.cursorConfig,
    m.paths.claudeCodeConfig,
  ])
    walk(p);
  return out;
}

/** The error lines of a run for people: the message (✖ …) and the hint under it (ℹ …, mark dropped). */
function errorLines(r: RunResult): string[] {
  return r.stderr
    .trim()
    .split("\n")
    .map((l) => l.trim().replace(/^ℹ /, ""));
}

describe("--client: the client table's names, every command alike", () => {
  // Every command that accepts the global flags, each with what it needs to get going.
  const commands = [
    ["sync"],
    ["sync", "--dry-run"],
    ["status"],
    ["doctor", "--no-probe"],
    ["import", "--dry-run"],
    ["uninstall", "--yes"],
    ["restore"],
    ["init", "--yes", "--server", "memory", "--no-sync"],
    ["add", "memory"],
    ["remove", "fixture"],
    ["secret", "list"],
  ];

  test("a typo is exit 2 before any work, with one wording, the known names and a did-you-mean", async () => {
    const before = snapshot({ withCache: true });
    m.clearInteropLog();
    const messages = new Set<string>();
    for (const command of commands) {
      const r = await m.run([...command, "--client", "claude"]);
      expect({ command, code: r.code }).toEqual({ command, code: 2 });
      expect(r.stdout).toBe("");
      const [message, hint] = errorLines(r);
      // A command that has no use for --client (restore takes env:client as its target) says so.
      if (!Object.hasOwn(HONOURS[command[0]!]!, "client")) {
        expect(message).toBe(`✖ --client: \`mcp-twin ${command[0]}\` does not take it.`);
        expect(hint).toBe(`Run \`mcp-twin ${command[0]} --help\` for its flags.`);
        continue;
      }
      messages.add(message!);
      expect(hint).toBe(KNOWN_CLIENTS);
    }
    expect([...messages]).toEqual([
      "✖ --client claude: not a client mcp-twin knows. Did you mean claude-desktop or claude-code?",
    ]);
    // Nothing installed, written or even looked at (no Windows process started).
    expect(snapshot({ withCache: true })).toEqual(before);
    expect(m.interopCalls()).toEqual([]);
  });

  test("status --client claude-dekstop: did you mean claude-desktop", async () => {
    const r = await m.run(["status", "--client", "claude-dekstop"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)[0]).toBe(
      "✖ --client claude-dekstop: not a client mcp-twin knows. Did you mean claude-desktop?",
    );
  });

  test("--json: one document on stdout, with the known names and the suggestions", async () => {
    const r = await m.run([
      "sync",
      "--json",
      "--client",
      "claude",
      "--client",
      "cursor",
      "--client",
      "Cursr",
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          code: "bad-client",
          message:
            "--client claude: not a client mcp-twin knows. Did you mean claude-desktop or claude-code?",
          known: [...CLIENT_IDS],
          didYouMean: ["claude-desktop", "claude-code"],
          hint: KNOWN_CLIENTS,
        },
        {
          code: "bad-client",
          message: "--client Cursr: not a client mcp-twin knows. Did you mean cursor?",
          known: [...CLIENT_IDS],
          didYouMean: ["cursor"],
          hint: KNOWN_CLIENTS,
        },
      ],
    });
  });
});

describe("--env: the forms, then the environments of this machine", () => {
  const commands = [
    ["sync"],
    ["status"],
    ["doctor", "--no-probe"],
    ["import", "--dry-run"],
    ["uninstall", "--yes"],
    ["init", "--yes", "--server", "memory", "--no-sync"],
  ];

  test("a distro that is not here: exit 2 naming the environments here, in every command", async () => {
    const before = snapshot();
    const messages = new Set<string>();
    for (const command of commands) {
      const r = await m.run([...command, "--env", "wsl:Ubunut"]);
      expect({ command, code: r.code }).toEqual({ command, code: 2 });
      const [message, hint] = errorLines(r);
      messages.add(`${message}\n${hint}`);
    }
    expect([...messages]).toEqual([
      "✖ --env wsl:Ubunut: not an environment here. Did you mean wsl:Ubuntu?\n" +
        "Environments here (wsl is every distro): wsl:Ubuntu, windows, wsl.",
    ]);
    expect(snapshot()).toEqual(before);
  });

  test("a form that is no environment: the forms, and the closest", async () => {
    for (const [env, closest] of [
      ["windos", " Did you mean windows?"],
      ["Ubuntu", ""],
      ["wsl:Ubuntu/x", ""],
    ] as const) {
      const r = await m.run(["status", "--env", env]);
      expect(r.code, env).toBe(2);
      expect(errorLines(r)).toEqual([
        `✖ --env ${env}: not an environment mcp-twin knows.${closest}`,
        "Environments (wsl is every distro): windows, wsl, wsl:<distro>, macos, linux.",
      ]);
    }
  });

  test("an environment this machine does not have is not silently skipped", async () => {
    const r = await m.run(["sync", "--json", "--env", "macos"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors).toEqual([
      {
        code: "bad-env",
        message: "--env macos: not an environment here.",
        known: ["wsl:Ubuntu", "windows", "wsl"],
        didYouMean: [],
        hint: "Environments here (wsl is every distro): wsl:Ubuntu, windows, wsl.",
      },
    ]);
  });

  test("wsl selects every wsl:* environment", async () => {
    const r = await m.run(["sync", "--dry-run", "--json", "--env", "wsl"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { targets: Array<{ env: string }> };
    expect(report.targets.length).toBeGreaterThan(0);
    expect(new Set(report.targets.map((t) => t.env))).toEqual(new Set(["wsl:Ubuntu"]));
  });
});

describe("server names, secrets and restore targets", () => {
  test("remove, doctor --server, serve --share, init --server and secret rm offer the closest name", async () => {
    // Files on C: named as Windows names them.
    const home = `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin`;
    const manifest = `${home}\\mcp-twin.jsonc`;
    const elsewhere = path.join(m.root, "new", "mcp-twin.jsonc");
    const before = snapshot();
    const cases: Array<[string[], string, string]> = [
      [
        ["remove", "fixtur"],
        `✖ remove fixtur: not a server in ${manifest}. Did you mean fixture?`,
        "Servers there: fixture.",
      ],
      [
        ["doctor", "--no-probe", "--server", "fixtur"],
        "✖ --server fixtur: not a server in the manifest or any client config. Did you mean fixture?",
        "Known servers: fixture.",
      ],
      [
        ["serve", "--share", "fixtur", "--port", "0"],
        `✖ --share fixtur: not a server in ${manifest}. Did you mean fixture?`,
        "Servers there: fixture.",
      ],
      [
        ["secret", "rm", "FIXTURE_TOKN"],
        `✖ secret rm FIXTURE_TOKN: no secret of that name is stored in ${home}\\secrets.json. Did you mean FIXTURE_TOKEN?`,
        "Stored secrets: FIXTURE_TOKEN.",
      ],
    ];
    for (const [args, message, hint] of cases) {
      const r = await m.run(args, { timeoutMs: 30_000 });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(errorLines(r)).toEqual([message, hint]);
    }
    const init = await m.run(["init", "--yes", "--server", "memroy", "--no-sync", "--manifest", elsewhere]);
    expect(init.code).toBe(2);
    expect(errorLines(init)[0]).toBe(
      "✖ --server memroy: not in the catalogue, nor an MCP Registry name (namespace/name); `mcp-twin add <package>` adds an npm package. Did you mean memory?",
    );
    expect(errorLines(init)[1]).toMatch(/^The catalogue: brave-search, .*memory, .*time\.$/);
    expect(existsSync(elsewhere)).toBe(false);
    expect(snapshot()).toEqual(before);
  });

  test("doctor --server no one knows: exit 2 and no cache written (the facts are kept by a run that gets past it)", async () => {
    const fresh = createFakeMachine({ registryUrl: inject("registryUrl") });
    try {
      writeManifest(fresh, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
      const cache = path.join(fresh.paths.home, "cache");
      expect(existsSync(cache)).toBe(false);
      const r = await fresh.run(["doctor", "--server", "fixtur"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--server fixtur: not a server in the manifest or any client config.");
      // Environment facts are kept only by a run that got past its checks of what was asked.
      expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
      // A run that does: the facts are kept for the next one.
      expect((await fresh.run(["doctor", "--no-probe", "--server", "fixture"])).code).not.toBe(2);
      expect(readdirSync(cache)).toContain("environments.json");
    } finally {
      fresh.cleanup();
    }
  });

  test("restore before any sync says there is nothing to restore", async () => {
    const none = await m.run(["restore", "windows:cursor"]);
    expect(none.code).toBe(2);
    expect(errorLines(none)).toEqual([
      "✖ restore windows:cursor: no target of that name was changed by a sync.",
      "No sync has changed a target yet.",
    ]);
  });

  test("a command's action typed wrong: did you mean, a name it begins first (bridge stat → status)", async () => {
    const before = snapshot();
    const cases: Array<[string[], string, string]> = [
      [
        ["bridge", "stat"],
        "✖ bridge stat: not an action. Did you mean status?",
        "Actions: status, start, stop, restart, logs.",
      ],
      [
        ["bridge", "sto"],
        "✖ bridge sto: not an action. Did you mean stop?",
        "Actions: status, start, stop, restart, logs.",
      ],
      [
        ["secret", "lst"],
        "✖ secret lst: not an action. Did you mean list?",
        "Actions: set, list, rm. mcp-twin secret set NAME | secret list | secret rm NAME",
      ],
      [
        ["completion", "ba"],
        "✖ completion ba: not a shell mcp-twin has a completion script for. Did you mean bash?",
        "Shells: bash, zsh, fish, powershell.",
      ],
      [
        ["share", "fixture", "mach"],
        "✖ share mach: not a mode. Did you mean machine?",
        "Modes: machine, project, session, off.",
      ],
    ];
    for (const [args, message, hint] of cases) {
      const r = await m.run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(errorLines(r)).toEqual([message, hint]);
    }
    const json = await m.run(["bridge", "stat", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).errors[0]).toMatchObject({ code: "bad-action", didYouMean: ["status"] });
    expect(snapshot()).toEqual(before);
  });
});

describe("after a sync", () => {
  beforeAll(async () => {
    const sync = await m.run(["sync"]);
    expect(sync.code, sync.stderr).toBe(0);
  }, 180_000);

  test("restore names the targets the last sync changed", async () => {
    const r = await m.run(["restore", "windows:cursr", "--json"]);
    expect(r.code).toBe(2);
    const [error] = JSON.parse(r.stdout).errors;
    expect(error).toMatchObject({
      code: "unknown-target",
      message:
        "restore windows:cursr: no target of that name was changed by a sync. Did you mean windows:cursor?",
      didYouMean: ["windows:cursor"],
    });
    expect([...error.known].sort()).toEqual([
      "windows:claude-desktop",
      "windows:cursor",
      "wsl:Ubuntu:claude-code",
    ]);
  });

  test("uninstall --packages --env windows plans the Windows packages only", async () => {
    const r = await m.run(["uninstall", "--packages", "--env", "windows", "--dry-run", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      targets: Array<{ env: string }>;
      installs: Array<{ env: string }>;
    };
    expect(report.installs.length).toBeGreaterThan(0);
    expect(new Set(report.installs.map((i) => i.env))).toEqual(new Set(["windows"]));
    expect(new Set(report.targets.map((t) => t.env))).toEqual(new Set(["windows"]));
  });
});
