/**
 * Shell completion: `mcp-twin completion <shell>` prints a script, and each Tab's `__complete`
 * offers commands, flags, and server, client and environment names from this machine's home —
 * from files alone, so on a Windows PC with WSL it starts no Windows program. The scripts are run
 * in the real shells that are here (bash; zsh and fish from Debian); PowerShell's is checked by
 * its structure and through the binary, as no PowerShell runs here.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { complete, MAPPED, type Table } from "../../src/commands/complete/candidates.js";
import { SHARE_MODES } from "../../src/core/manifest/schema.js";
import { BIN, REPO, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();

const setup = fixtureMachines("fx-c0391e7e5ec7e7a1");
let shims: string;
beforeAll(() => {
  // `mcp-twin` on PATH, as an installed package puts it there.
  shims = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-shim-"));
  writeFileSync(path.join(shims, "mcp-twin"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(shims, "mcp-twin"), 0o755);
});
afterAll(() => rmSync(shims, { recursive: true, force: true }));

/** The table as the build writes it (scripts/completion-table.mjs), from the same program. */
function tableFromProgram(): Table {
  return JSON.parse(readFileSync(path.join(REPO, "dist", "complete", "table.json"), "utf8")) as Table;
}

/** One Tab through the built binary: the lines `__complete` prints. */
function tab(env: Record<string, string>, shell: string, ...words: string[]): string[] {
  const r = spawnSync(process.execPath, [BIN, "__complete", shell, ...words], { env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

const values = (lines: string[]) => lines.map((l) => l.split("\t")[0]);

// zsh and fish run where they are installed (bash always is); a skip says so in its name and output.
const HAS_ZSH = existsSync("/usr/bin/zsh");
const HAS_FISH = existsSync("/usr/bin/fish");
const NO_SHELL = (shell: string) => `/usr/bin/${shell} is not installed (apt-get install ${shell})`;
if (!HAS_ZSH) console.warn(`zsh completion test skipped: ${NO_SHELL("zsh")}`);
if (!HAS_FISH) console.warn(`fish completion test skipped: ${NO_SHELL("fish")}`);

describe("what a Tab offers", () => {
  test("the table is the program's: every command and flag the completer maps exists", () => {
    const table = tableFromProgram();
    const program = buildProgram(async () => {});
    expect(table.commands.map((c) => c.name)).toEqual(program.commands.map((c) => c.name()));
    for (const key of MAPPED.flags) {
      const [command, flag] = key.includes(":") ? key.split(":") : [undefined, key];
      const where = table.commands.filter((c) => command === undefined || c.name === command);
      expect(
        where.some((c) => c.options.some((o) => o.long === flag)) ||
          table.global.some((o) => o.long === flag),
        key,
      ).toBe(true);
    }
    for (const key of MAPPED.args) {
      const [command, index] = key.split(":");
      if (command === "help") continue;
      expect(table.commands.find((c) => c.name === command)?.args[Number(index)], key).toBeDefined();
    }
  });

  test("commands, flags, and the values a flag or argument takes (pure)", () => {
    const table = tableFromProgram();
    const names = () => ({
      servers: ["memory", "remote"],
      remote: ["remote"],
      shared: ["memory"],
      catalogue: ["fetch", "memory"],
      envs: ["wsl:Ubuntu"],
      targets: ["wsl:Ubuntu:claude-code"],
      secrets: ["TAVILY_API_KEY"],
    });
    const offered = (...words: string[]) => {
      const r = complete(table, words, names);
      return "files" in r ? ":files" : r.candidates.map((c) => c.value);
    };
    expect(offered("sy")).toEqual(["sync"]);
    expect(offered("")).toContain("completion");
    expect(offered("sync", "--cl")).toEqual(["--client"]);
    expect(offered("sync", "--client", "c")).toEqual([
      "claude-desktop",
      "claude-code",
      "cursor",
      "codex",
      "copilot-cli",
      "crush",
      "continue",
      "cline",
    ]);
    expect(offered("sync", "--client=cu")).toEqual(["--client=cursor"]);
    expect(offered("doctor", "--env", "w")).toEqual(["windows", "wsl", "wsl:Ubuntu"]);
    expect(offered("remove", "")).toEqual(["memory", "remote"]);
    expect(offered("doctor", "--server", "r")).toEqual(["remote"]);
    expect(offered("init", "--server", "")).toEqual(["fetch", "memory"]);
    expect(offered("add", "f")).toEqual(["fetch"]);
    expect(offered("restore", "w")).toEqual(["wsl:Ubuntu:claude-code"]);
    expect(offered("secret", "")).toEqual(["set", "list", "rm"]);
    expect(offered("secret", "rm", "T")).toEqual(["TAVILY_API_KEY"]);
    expect(offered("add", "--use", "")).toEqual(["npm", "remote", "pypi", "oci"]);
    expect(offered("status", "--manifest", "")).toBe(":files");
    // A flag before the command, with its value: the command after it is still found.
    expect(offered("--manifest", "m.jsonc", "remove", "me")).toEqual(["memory"]);
    expect(offered("help", "lo")).toEqual(["login", "logout"]);
    // share's server and mode, completion's shell; login and logout only the remote servers.
    expect(offered("share", "")).toEqual(["memory", "remote"]);
    expect(offered("share", "memory", "")).toEqual([...SHARE_MODES, "off"]);
    expect(offered("share", "memory", "s")).toEqual(["session"]);
    expect(offered("completion", "")).toEqual(["bash", "zsh", "fish", "powershell"]);
    expect(offered("completion", "z")).toEqual(["zsh"]);
    expect(offered("login", "")).toEqual(["remote"]);
    expect(offered("logout", "")).toEqual(["remote"]);
    // bridge's actions, then one of the shared servers.
    expect(offered("bridge", "")).toEqual(["status", "start", "stop", "restart", "logs"]);
    expect(offered("bridge", "logs", "")).toEqual(["memory"]);
    // Arguments a command does not take: nothing.
    expect(offered("status", "x")).toEqual([]);
  });

  test("through the binary, on a Windows PC with WSL: names from the manifest and the records, and no Windows program started", async () => {
    const m = await setup.synced();
    writeManifest(m, {
      servers: {
        fixture: { package: "x", env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
        remote: { url: "https://mcp.example.com/mcp", environments: ["wsl:Ubuntu"] },
      },
    });
    const before = m.interopCalls().length;
    expect(values(tab(m.env, "bash", "remove", ""))).toEqual(["fixture", "remote"]);
    expect(values(tab(m.env, "zsh", "logout", "r"))).toEqual(["remote"]);
    // A server that runs as a program cannot log in: login offers the remote one alone.
    expect(values(tab(m.env, "bash", "login", ""))).toEqual(["remote"]);
    expect(values(tab(m.env, "bash", "share", ""))).toEqual(["fixture", "remote"]);
    expect(values(tab(m.env, "bash", "share", "fixture", ""))).toEqual([
      "machine",
      "project",
      "session",
      "off",
    ]);
    expect(values(tab(m.env, "bash", "completion", ""))).toEqual(["bash", "zsh", "fish", "powershell"]);
    expect(values(tab(m.env, "bash", "sync", "--env", ""))).toEqual([
      "windows",
      "wsl",
      "macos",
      "linux",
      "wsl:Ubuntu",
    ]);
    expect(values(tab(m.env, "fish", "restore", "windows:"))).toEqual([
      "windows:claude-desktop",
      "windows:cursor",
    ]);
    expect(values(tab(m.env, "bash", "secret", "rm", ""))).toEqual(["FIXTURE_TOKEN"]);
    // zsh, fish and PowerShell get descriptions; bash only the words.
    expect(tab(m.env, "zsh", "sync", "--dry")).toEqual([expect.stringMatching(/^--dry-run\t.+/)]);
    expect(tab(m.env, "bash", "sync", "--dry")).toEqual(["--dry-run"]);
    // PowerShell's words come with a "." before each (see the script).
    expect(values(tab(m.env, "powershell", ".remove", ".f"))).toEqual(["fixture"]);
    expect(m.interopCalls().length).toBe(before);
    // No secret value, ever: only its name.
    const all = [
      ...tab(m.env, "zsh", "secret", "rm", ""),
      ...tab(m.env, "zsh", "remove", ""),
      ...tab(m.env, "zsh", ""),
    ].join("\n");
    expect(all).not.toContain("fx-c0391e7e5ec7e7a1");
  }, 120_000);

  test("a WSL machine no command has run on yet: commands and flags, no names, still no Windows program", () => {
    const m = setup();
    rmSync(path.join(m.paths.home, "mcp-twin.jsonc"));
    const before = m.interopCalls().length;
    expect(values(tab(m.env, "bash", "rem"))).toEqual(["remove"]);
    expect(tab(m.env, "bash", "remove", "")).toEqual([]);
    expect(m.interopCalls().length).toBe(before);
  });

  test("the callback loads no network code: its start-up file imports no http, fetch or child process", () => {
    const file = readFileSync(path.join(REPO, "dist", "complete", "complete.js"), "utf8");
    // (Every build's banner names child_process, for a require that never comes here.)
    expect(file).not.toMatch(
      /getBuiltinModule\("node:(https?|net|child_process)"\)|\bfetch\(|execa|\.spawn\(/,
    );
    expect(readdirSync(path.join(REPO, "dist", "complete")).sort()).toEqual(["complete.js", "table.json"]);
  });
});

describe("the scripts, in real shells", () => {
  /** A home with two servers, and PATH with `mcp-twin` on it. */
  function home(): { env: Record<string, string>; dir: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-complete-"));
    const twin = path.join(dir, "twin");
    mkdirSync(twin);
    writeFileSync(
      path.join(twin, "mcp-twin.jsonc"),
      '{ "servers": { "memory": { "package": "@modelcontextprotocol/server-memory" }, "remote": { "url": "https://mcp.example.com/mcp" } } }',
    );
    const env = {
      PATH: `${shims}:/usr/bin:/bin`,
      HOME: dir,
      MCP_TWIN_HOME: twin,
      LANG: "C.UTF-8",
    };
    return { env, dir };
  }

  test("bash: the function bash calls on Tab fills COMPREPLY (words at : kept whole)", () => {
    const { env, dir } = home();
    try {
      const run = (line: string) => {
        const script = [
          'eval "$(mcp-twin completion bash)"',
          'complete -p mcp-twin >/dev/null || echo "not registered"',
          `COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}`,
          "_mcp_twin_complete",
          'printf "%s\\n" "${COMPREPLY[@]}"',
        ].join("\n");
        const r = spawnSync("bash", ["--norc", "--noprofile", "-c", script], { env, encoding: "utf8" });
        expect(r.stderr).toBe("");
        return r.stdout.split("\n").filter(Boolean);
      };
      expect(run("mcp-twin sy")).toEqual(["sync"]);
      expect(run("mcp-twin remove ")).toEqual(["memory", "remote"]);
      expect(run("mcp-twin sync --client cu")).toEqual(["cursor"]);
      // bash completes what follows the = (COMP_WORDBREAKS): only that part is given back.
      expect(run("mcp-twin sync --client=cu")).toEqual(["cursor"]);
      expect(run("mcp-twin doctor --env w")).toEqual(["windows", "wsl"]);
      // A path after --manifest: bash's own file completion.
      writeFileSync(path.join(dir, "mine.jsonc"), "{}");
      expect(run(`mcp-twin status --manifest ${dir}/mi`)).toEqual([`${dir}/mine.jsonc`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.skipIf(!HAS_ZSH)(
    `zsh: compdef registers it; the candidates for the words zsh passes${HAS_ZSH ? "" : ` (skipped: ${NO_SHELL("zsh")})`}`,
    () => {
      const { env, dir } = home();
      try {
        const run = (words: string[], current: number) => {
          const script = [
            "autoload -U compinit && compinit -u -D",
            'eval "$(mcp-twin completion zsh)"',
            'print -r -- "registered:${_comps[mcp-twin]}"',
            `words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${current}`,
            "_mcp_twin_candidates",
          ].join("\n");
          const r = spawnSync("/usr/bin/zsh", ["-f", "-c", script], { env, encoding: "utf8" });
          expect(r.stderr).toBe("");
          return r.stdout.split("\n").filter(Boolean);
        };
        const out = run(["mcp-twin", "remove", ""], 3);
        expect(out[0]).toBe("registered:_mcp_twin");
        expect(out.slice(1)).toEqual(["memory", "remote"]);
        expect(run(["mcp-twin", "sync", "--cl"], 3).slice(1)).toEqual([
          expect.stringMatching(/^--client\tonly this client/),
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test.skipIf(!HAS_FISH)(
    `fish: \`complete -C\` completes a command line with the script loaded${HAS_FISH ? "" : ` (skipped: ${NO_SHELL("fish")})`}`,
    () => {
      const { env, dir } = home();
      try {
        const run = (line: string) => {
          const r = spawnSync(
            "/usr/bin/fish",
            ["--no-config", "-c", `mcp-twin completion fish | source; complete -C ${JSON.stringify(line)}`],
            { env: { ...env, XDG_CONFIG_HOME: path.join(dir, "config") }, encoding: "utf8" },
          );
          expect(r.stderr).toBe("");
          return r.stdout.split("\n").filter(Boolean);
        };
        expect(run("mcp-twin remove ")).toEqual(["memory", "remote"]);
        expect(values(run("mcp-twin lo"))).toEqual(["login", "logout"]);
        expect(run("mcp-twin lo")[0]).toMatch(/^login\t/);
        // fish sorts what it is given.
        expect(run("mcp-twin sync --client cl")).toEqual(["claude-code", "claude-desktop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("powershell (no PowerShell here: the script's structure)", async () => {
    const { env, dir } = home();
    try {
      const r = spawnSync(process.execPath, [BIN, "completion", "powershell"], { env, encoding: "utf8" });
      expect(r.status).toBe(0);
      const script = r.stdout;
      expect(script).toContain("Register-ArgumentCompleter -Native -CommandName 'mcp-twin', 'mcp-twin.cmd'");
      expect(script).toContain("$words += '.' + $wordToComplete");
      expect(script).toContain("& mcp-twin __complete powershell @words");
      expect(script).toContain("[System.Management.Automation.CompletionResult]::new(");
      // What it runs answers as it expects: "value<TAB>tip" lines.
      expect(tab(env, "powershell", ".remove", ".")).toEqual(["memory", "remote"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the command", () => {
  test("completion <shell> prints the script; another shell is exit 2 with the known ones", async () => {
    const m = setup({ kind: "linux" });
    const bash = await m.run(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -F _mcp_twin_complete mcp-twin");
    const bad = await m.run(["completion", "tcsh"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("completion tcsh: not a shell mcp-twin has a completion script for.");
    expect(bad.stderr).toContain("Shells: bash, zsh, fish, powershell.");
    const help = await m.run(["--help"]);
    expect(help.stdout).toContain('$ eval "$(mcp-twin completion bash)"');
  });
});
