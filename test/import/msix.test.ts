/**
 * A Store (MSIX) Claude Desktop beside a classic %APPDATA%\Claude file full of hand-written
 * servers: doctor says the app ignores them and advises `mcp-twin import`. The advice works:
 * import reads that file too (saying where each server came from, and that those entries are not
 * adopted: sync never writes the classic file), `init --yes --import` sets them up, sync writes
 * them into the packaged file the app reads, and doctor then only asks to delete the old file.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { importJson, manifestOf } from "./helpers.js";

runInProcessByDefault();

const KEY = "fx-live-msix-9f8e7d";
const machines = machinesCleanedAfterAll();

function msixMachine(): { m: FakeMachine; classic: string; classicNative: string } {
  const m = createFakeMachine({ msix: true, registryUrl: inject("registryUrl") });
  machines.push(m);
  const classic = path.join(m.paths.appdata, "Claude", "claude_desktop_config.json");
  mkdirSync(path.dirname(classic), { recursive: true });
  writeFileSync(
    classic,
    `${JSON.stringify(
      {
        mcpServers: {
          fixture: {
            command: "cmd",
            args: ["/c", "npx", "-y", inject("fixtureName")],
            env: { FIXTURE_API_KEY: KEY },
          },
        },
      },
      null,
      2,
    )}\n`,
  );
  return {
    m,
    classic,
    classicNative: `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\Claude\\claude_desktop_config.json`,
  };
}

type Check = { id: string; client?: string; status: string; message: string; fix?: string };
async function location(m: FakeMachine): Promise<Check> {
  const r = await m.run(["doctor", "--no-probe", "--json", "--client", "claude-desktop"]);
  const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
  return checks.find((c) => c.id === "config.location")!;
}

describe("Store (MSIX) Claude Desktop with servers in the classic file", () => {
  test("import reads the classic file too and says where each server came from", async () => {
    const { m, classicNative } = msixMachine();
    const before = await location(m);
    expect(before.status).toBe("warn");
    expect(before.fix).toContain("mcp-twin import");

    const r = await importJson(m, ["--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.files).toContainEqual(
      expect.objectContaining({ client: "claude-desktop", path: classicNative, ignoredByApp: true }),
    );
    const fixture = r.server("fixture")!;
    expect(fixture.server).toEqual({
      package: inject("fixtureName"),
      env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" },
    });
    expect(fixture.found).toEqual([
      expect.objectContaining({
        env: "windows",
        client: "claude-desktop",
        path: classicNative,
        via: "cmd /c npx",
        adopted: false,
        ignoredByApp: true,
        why: expect.stringContaining("Store (MSIX) build of Claude Desktop ignores"),
      }),
    ]);
    // Nothing adopted: sync never writes the classic file, so no state record points at it.
    expect(r.json.adopted).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(KEY);

    // The text report names the file and says what to do with it.
    const text = await m.run(["import", "--dry-run"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "windows claude-desktop (the classic %APPDATA%\\Claude file, which the Store (MSIX) build of Claude Desktop ignores)",
    );
    expect(text.stdout).toContain(`"fixture" in ${classicNative} via cmd /c npx`);
  });

  test("init --yes --import sets them up; sync writes the packaged file; doctor then asks only to delete the old one", async () => {
    const { m, classic } = msixMachine();
    const init = await m.run(["init", "--yes", "--import"], { timeoutMs: 180_000 });
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(init.stdout + init.stderr).not.toContain("nothing to set up");
    expect(Object.keys(manifestOf(m).servers)).toEqual(["fixture"]);
    // Its key is in no client's file: the server is reached through the bridge.
    expect(readFileSync(m.paths.claudeDesktopConfig, "utf8")).not.toContain(KEY);
    // Its key in the entry, where this test looks at the Windows launch the Store build gets.
    expect((await m.run(["share", "fixture", "off"])).code).toBe(0);
    const synced = await m.run(["sync"], { timeoutMs: 180_000 });
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    expect(synced.stdout + synced.stderr).not.toContain(KEY);
    const packaged = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8"));
    expect(packaged.mcpServers.fixture.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    // The Store build starts servers with PATHEXT cut to `.CPL` and WINDIR empty: the entry
    // carries the user's own values.
    expect(packaged.mcpServers.fixture.env).toEqual({
      FIXTURE_API_KEY: KEY,
      PATHEXT: ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
      WINDIR: "C:\\Windows",
    });
    // The classic file is never edited.
    expect(JSON.parse(readFileSync(classic, "utf8")).mcpServers.fixture.command).toBe("cmd");

    const after = await location(m);
    expect(after.status).toBe("warn");
    expect(after.message).toContain("in the file it reads too");
    expect(after.fix).toMatch(/^Delete .*claude_desktop_config\.json/);
    expect(after.fix).not.toContain("mcp-twin import");
    expect(init.stdout + init.stderr).not.toContain(KEY);

    // import again (doctor's old advice): nothing to import, said plainly, and no advice to run a
    // sync that would do nothing.
    const again = await m.run(["import"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      "Nothing to import: fixture is in the manifest already, as found; the 3 entries found in client configs were written by mcp-twin already.",
    );
    expect(again.stdout).not.toContain("Next:");
    expect(again.stdout).not.toMatch(/mcp-twin\.jsonc unchanged/);
    // They are in the file the app reads already: the old one can go now (not "once sync has …").
    expect(again.stdout).toContain(
      `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\Claude\\claude_desktop_config.json is the classic Claude Desktop file, which the Store build ignores: fixture is in the file it reads already (C:\\Users\\${m.windowsUser}\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json), so you can delete it (mcp-twin never edits it).`,
    );
    expect(again.stdout).not.toContain("once sync has written");
    // No stray mark in the middle of the line that says where it was found.
    expect(again.stdout).toContain("via cmd /c npx: not adopted: the classic");
    expect(again.stdout + again.stderr).not.toContain(`${m.root}/mnt/`);
  }, 240_000);

  test("an import that changes the manifest says what to run next", async () => {
    const { m } = msixMachine();
    const r = await m.run(["import", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `✔ C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc created`,
    );
    expect(r.stdout).toContain("Next: mcp-twin sync");
    // Not in the file the app reads yet: the old one goes once sync has written it there.
    expect(r.stdout).toContain(
      "is the classic Claude Desktop file, which the Store build ignores: once sync has written these servers into the file it reads, delete it (mcp-twin never edits it).",
    );
  });
});
