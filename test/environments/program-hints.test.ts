/** How to install a program in each environment: one table, read by doctor (and sync's reports). */
import { describe, expect, test } from "vitest";
import {
  installAdvice,
  installFolders,
  npmAdvice,
  programHint,
  sharedStartsAfter,
} from "../../src/core/environments/program-hints.js";
import type { EnvKind } from "../../src/core/environments/types.js";

describe("program hints", () => {
  test.each([
    ["uvx", "wsl", "uv", "https://astral.sh/uv/install.sh"],
    ["C:\\Users\\a\\.local\\bin\\uvx.exe", "windows", "uv", "astral.sh/uv/install.ps1"],
    ["python3", "macos", "Python", "brew install python"],
    ["/usr/bin/docker", "wsl", "Docker", "WSL integration"],
    ["npx.cmd", "windows", "Node.js LTS", "OpenJS.NodeJS.LTS"],
  ] as const)("%s in %s: %s (%s)", (program, env, provider, install) => {
    const hint = programHint(program, env);
    expect(hint?.provider).toBe(provider);
    expect(hint?.install).toContain(install);
  });

  test("advice names the environment and what provides the program; unknown programs get a plain sentence", () => {
    expect(installAdvice("uvx", { id: "wsl:Ubuntu", kind: "wsl" })).toBe(
      "Install uv in wsl:Ubuntu (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`.",
    );
    expect(installAdvice("node", { id: "windows", kind: "windows" })).toMatch(
      /^Install Node\.js LTS on Windows: /,
    );
    expect(programHint("my-server", "linux")).toBeUndefined();
    expect(installAdvice("my-server", { id: "linux", kind: "linux" })).toBe(
      "Install my-server in linux (so it is on the PATH there), or use its absolute path.",
    );
  });

  const programs = ["uv", "uvx", "python", "python3", "pip", "node", "npx", "npm", "docker", "deno", "bun"];
  const kinds: EnvKind[] = ["windows", "wsl", "linux", "macos"];

  test("a command is never run into by the sentence around it: each one in backticks", () => {
    for (const program of programs)
      for (const kind of kinds) {
        const hint = programHint(program, kind)?.install;
        if (!hint) continue;
        // Outside backticks only words: no pipe, no flag, no URL to fetch, no command name.
        const outside = hint.replace(/`[^`]*`/g, "");
        expect(outside, `${program} in ${kind}: ${hint}`).not.toMatch(
          /\|| -[a-z]|https?:|^(curl|brew|winget|sudo|powershell) /,
        );
      }
  });

  test("Node.js and npm on Linux and in WSL come from nvm, never the distribution's (too old) package", () => {
    for (const kind of ["wsl", "linux"] as const) {
      for (const program of ["node", "npm", "npx"])
        expect(programHint(program, kind)?.install).toContain("nvm install --lts");
      for (const nodeThere of [true, false]) {
        const advice = npmAdvice({ kind }, nodeThere);
        expect(advice).toContain("`nvm install --lts`");
        expect(advice).not.toMatch(/apt/);
      }
    }
  });
});

describe("where an installer puts a program (the bridge looks there too)", () => {
  test.each([
    ["uvx", "linux", {}, "/home/bob", ["/home/bob/.local/bin"]],
    ["uvx", "wsl", { XDG_BIN_HOME: "/opt/bin" }, "/home/bob", ["/opt/bin", "/home/bob/.local/bin"]],
    ["uvx", "windows", {}, "C:\\Users\\a", ["C:\\Users\\a\\.local\\bin"]],
    ["bun", "macos", {}, "/Users/a", ["/opt/homebrew/bin", "/usr/local/bin"]],
    ["deno", "linux", {}, "/home/bob", ["/home/bob/.deno/bin"]],
    ["npx", "linux", {}, "/home/bob", []],
    ["my-server", "linux", {}, "/home/bob", []],
  ] as const)("%s in %s", (program, kind, vars, home, folders) => {
    expect(installFolders(program, kind, vars, home)).toEqual(folders);
  });

  test("what starts a shared server once installed: the next call where the bridge looks, a sync first elsewhere", () => {
    expect(sharedStartsAfter("uvx", "linux")).toBe("the bridge starts it on the next call");
    expect(sharedStartsAfter("my-server", "linux")).toMatch(
      /^run `mcp-twin sync` from a terminal that finds it/,
    );
  });
});
