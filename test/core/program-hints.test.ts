/** How to install a program in each environment: one table, read by doctor (and sync's reports). */
import { describe, expect, test } from "vitest";
import { installAdvice, programHint } from "../../src/core/program-hints.js";

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
      "Install uv in wsl:Ubuntu (it provides uvx): curl -LsSf https://astral.sh/uv/install.sh | sh.",
    );
    expect(installAdvice("node", { id: "windows", kind: "windows" })).toMatch(
      /^Install Node\.js LTS on Windows: /,
    );
    expect(programHint("my-server", "linux")).toBeUndefined();
    expect(installAdvice("my-server", { id: "linux", kind: "linux" })).toBe(
      "Install my-server in linux (so it is on the PATH there), or use its absolute path.",
    );
  });
});
