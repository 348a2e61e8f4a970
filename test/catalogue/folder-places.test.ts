/**
 * A folder typed as the other side spells it: a Windows path given inside WSL reaches each
 * environment as that one spells it, and no line shows one path in both spellings.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "jsonc-parser";
import { describe, expect, test } from "vitest";
import { foldersElsewhere, placesOf, spelledHere } from "../../src/core/catalogue/folder-places.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { KEY, runInPty } from "../helpers/pty.js";

runInProcessByDefault();
const setup = fixtureMachines("fx-3c9e1a7d5b2f4086");

const wsl = { kind: "wsl" as const, id: "wsl:Ubuntu", distro: "Ubuntu", mountRoot: "/mnt/", interop: true };

describe("folder places (pure)", () => {
  test("inside WSL a Windows path is spelled /mnt/…; Windows gets its own spelling in an override", () => {
    const places = placesOf(wsl);
    expect(places.others.map((o) => o.id)).toEqual(["windows"]);
    expect(spelledHere("C:\\Users\\me\\proj", places)).toBe("/mnt/c/Users/me/proj");
    expect(spelledHere("/home/me", places)).toBe("/home/me");
    const folders = new Set(["/mnt/c/Users/me/proj"]);
    expect(foldersElsewhere(["--root", "/mnt/c/Users/me/proj"], folders, places, undefined)).toEqual({
      windows: { args: ["--root", "C:\\Users\\me\\proj"] },
    });
    // A server that runs only in WSL needs no Windows spelling.
    expect(foldersElsewhere(["/mnt/c/Users/me/proj"], folders, places, ["wsl"])).toEqual({});
  });

  test("on plain Linux nothing is translated (there is no other side)", () => {
    const places = placesOf({ kind: "linux", id: "linux", mountRoot: "/mnt/", interop: false });
    expect(spelledHere("C:\\Users\\me", places)).toBe("C:\\Users\\me");
    expect(foldersElsewhere(["/home/me"], new Set(["/home/me"]), places, undefined)).toEqual({});
  });
});

function withFolderTemplate(m: FakeMachine): string {
  mkdirSync(path.join(m.paths.home, "templates"), { recursive: true });
  writeFileSync(
    path.join(m.paths.home, "templates", "files.jsonc"),
    JSON.stringify({
      name: "files",
      title: "Files",
      description: "Files in one folder",
      homepage: "https://files.example",
      runtime: "python",
      server: { command: "uvx", args: ["files-mcp", "--root", "${input:folder}"] },
      inputs: { folder: { type: "folder", description: "The folder it may read" } },
    }),
  );
  const proj = path.join(m.paths.profile, "proj");
  mkdirSync(proj, { recursive: true });
  return proj;
}

describe("a Windows path typed inside WSL", () => {
  test("add --arg folder=C:\\…: WSL's entry gets /mnt/c/…, Windows' gets C:\\…, each line one spelling", async () => {
    const m = setup({}, {});
    const proj = withFolderTemplate(m);
    const typed = `C:\\Users\\${m.windowsUser}\\proj`;
    const r = await m.run(["add", "files", "--arg", `folder=${typed}`, "--sync"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const manifest = parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8"));
    expect(manifest.servers.files.args).toEqual(["files-mcp", "--root", proj]);
    expect(manifest.servers.files.overrides).toEqual({ windows: { args: ["files-mcp", "--root", typed] } });
    const code = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.files;
    expect(code.args.slice(-2)).toEqual(["--root", proj]);
    for (const file of [m.paths.claudeDesktopConfig, m.paths.cursorConfig]) {
      const entry = JSON.parse(readFileSync(file, "utf8")).mcpServers.files;
      expect(entry.args.slice(-2)).toEqual(["--root", typed]);
    }
    expect(r.stdout).toContain(`  args in windows  files-mcp --root ${typed}`);
    for (const line of (r.stdout + r.stderr).split("\n"))
      expect(line.includes(proj) && line.includes(typed), line).toBe(false);
  }, 60_000);

  test("init --server … --arg folder=C:\\…: the same two spellings in the manifest", async () => {
    const m = setup({}, {});
    const proj = withFolderTemplate(m);
    const typed = `C:\\Users\\${m.windowsUser}\\proj`;
    const r = await m.run(["init", "--yes", "--server", "files", "--arg", `folder=${typed}`, "--no-sync"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const manifest = parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8"));
    expect(manifest.servers.files).toMatchObject({
      args: ["files-mcp", "--root", proj],
      overrides: { windows: { args: ["files-mcp", "--root", typed] } },
    });
  });

  test("typed at add's question on a terminal: accepted, and spelled for each side", async () => {
    const m = setup({}, {});
    const proj = withFolderTemplate(m);
    const typed = `C:\\Users\\${m.windowsUser}\\proj`;
    const pty = runInPty(["add", "files"], m.env, m.root);
    await pty.waitFor(/The folder it may read/);
    pty.type(`${typed}${KEY.enter}`);
    await pty.waitFor(/ now\?/);
    pty.type(`n${KEY.enter}`);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(0);
    expect(output).not.toContain("does not exist");
    const manifest = parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8"));
    expect(manifest.servers.files).toMatchObject({
      args: ["files-mcp", "--root", proj],
      overrides: { windows: { args: ["files-mcp", "--root", typed] } },
    });
  }, 60_000);

  test("a folder that does not exist is named as typed", async () => {
    const m = setup({}, {});
    withFolderTemplate(m);
    const typed = `C:\\Users\\${m.windowsUser}\\missing`;
    const r = await m.run(["add", "files", "--arg", `folder=${typed}`, "--no-sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${typed} does not exist`);
  });

  test("--manifest C:\\…: the file through /mnt/c, named as Windows writes it", async () => {
    const m = setup({}, {});
    const proj = withFolderTemplate(m);
    writeFileSync(path.join(proj, "team.jsonc"), JSON.stringify({ servers: {} }));
    const typed = `C:\\Users\\${m.windowsUser}\\proj\\team.jsonc`;
    const r = await m.run(["status", "--manifest", typed]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(typed);
    expect(r.stdout + r.stderr).not.toContain(`${proj}/team.jsonc`);
  });
});
