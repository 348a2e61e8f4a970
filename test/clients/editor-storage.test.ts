/**
 * Extension clients are found where an editor runs them (clients/editor-storage.ts, targets.ts), and
 * their entries are read as Cline and Roo Code read them (clients/extension-entries.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { expandEntry, readEntry } from "../../src/core/clients/entry-view.js";
import { clientById } from "../../src/core/clients/index.js";
import { discoverTargets } from "../../src/core/clients/targets.js";
import type { Environment } from "../../src/core/environments/types.js";

const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-editors-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Windows environment whose C: is a folder, and a WSL one whose home is another. */
function machine(name: string): { windows: Environment; wsl: Environment; c: string; home: string } {
  const c = path.join(root, name, "c");
  const home = path.join(root, name, "home");
  mkdirSync(c, { recursive: true });
  mkdirSync(home, { recursive: true });
  const base = {
    exec: async () => ({ code: 0, stdout: "", stderr: "" }),
    runNpm: async () => ({ code: 0, stdout: "", stderr: "" }),
  };
  const windows = {
    ...base,
    id: "windows",
    kind: "windows",
    home: "C:\\Users\\ann",
    vars: { APPDATA: "C:\\Users\\ann\\AppData\\Roaming", USERPROFILE: "C:\\Users\\ann" },
    usable: true,
    local: false,
    style: "win32",
    access: (p: string) => (/^C:\\/i.test(p) ? path.join(c, ...p.slice(3).split("\\")) : undefined),
  } as unknown as Environment;
  const wsl = {
    ...base,
    id: "wsl:Ubuntu",
    kind: "wsl",
    distro: "Ubuntu",
    home: "/home/bob",
    vars: {},
    usable: true,
    local: true,
    style: "posix",
    access: (p: string) =>
      p.startsWith("/home/bob") ? path.join(home, p.slice("/home/bob".length)) : undefined,
  } as unknown as Environment;
  return { windows, wsl, c, home };
}

const appdata = (c: string, ...rest: string[]) => path.join(c, "Users", "ann", "AppData", "Roaming", ...rest);

describe("where an editor runs the extension", () => {
  test("Roo Code and Zoo Code get a file in each editor that has them: Windows desktops, WSL servers", async () => {
    const { windows, wsl, c, home } = machine("roo");
    mkdirSync(appdata(c, "Code", "User", "globalStorage", "rooveterinaryinc.roo-cline"), { recursive: true });
    mkdirSync(appdata(c, "Cursor", "User"), { recursive: true });
    mkdirSync(path.join(c, "Users", "ann", ".cursor", "extensions", "zoocodeorganization.zoo-code-3.82.0"), {
      recursive: true,
    });
    mkdirSync(
      path.join(home, ".vscode-server", "data", "User", "globalStorage", "zoocodeorganization.zoo-code"),
      {
        recursive: true,
      },
    );
    mkdirSync(path.join(home, ".cursor-server", "data", "User"), { recursive: true });
    const found = await discoverTargets([windows, wsl], { clients: ["roo-code"] });
    expect(found.map((t) => [t.env.id, t.path, t.note])).toEqual([
      [
        "windows",
        "C:\\Users\\ann\\AppData\\Roaming\\Code\\User\\globalStorage\\rooveterinaryinc.roo-cline\\settings\\mcp_settings.json",
        "Roo Code in VS Code",
      ],
      [
        "windows",
        "C:\\Users\\ann\\AppData\\Roaming\\Cursor\\User\\globalStorage\\zoocodeorganization.zoo-code\\settings\\mcp_settings.json",
        "Zoo Code in Cursor",
      ],
      [
        "wsl:Ubuntu",
        "/home/bob/.vscode-server/data/User/globalStorage/zoocodeorganization.zoo-code/settings/mcp_settings.json",
        "Zoo Code in VS Code (remote)",
      ],
    ]);
    // Status and doctor also see where it is not: each installed editor's file, absent.
    const all = await discoverTargets([windows, wsl], { clients: ["roo-code"], includeAbsent: true });
    expect(all.filter((t) => !t.present).map((t) => t.note)).toEqual([
      "Zoo Code in VS Code",
      "Roo Code in Cursor",
      "Roo Code in VS Code (remote)",
      "Roo Code in Cursor (remote)",
      "Zoo Code in Cursor (remote)",
    ]);
  });

  test("Cline: one shared file per environment, found by ~/.cline or by its extension in any editor there", async () => {
    const { windows, wsl, c, home } = machine("cline");
    expect(await discoverTargets([windows, wsl], { clients: [] })).toEqual([]);
    // The extension in a Remote-WSL Cursor window only: WSL's ~/.cline is Cline's file there.
    mkdirSync(path.join(home, ".cursor-server", "extensions", "saoudrizwan.claude-dev-4.1.13"), {
      recursive: true,
    });
    mkdirSync(path.join(c, "Users", "ann", ".cline"), { recursive: true });
    const found = await discoverTargets([windows, wsl], { clients: ["cline"] });
    expect(found.map((t) => [t.env.id, t.path])).toEqual([
      ["windows", "C:\\Users\\ann\\.cline\\data\\settings\\cline_mcp_settings.json"],
      ["wsl:Ubuntu", "/home/bob/.cline/data/settings/cline_mcp_settings.json"],
    ]);
  });

  test("VS Code in WSL: the remote user file, there once VS Code's server is", async () => {
    const { windows, wsl, home } = machine("vscode");
    expect((await discoverTargets([windows, wsl], { clients: ["vscode"] })).map((t) => t.env.id)).toEqual([
      "windows",
    ]);
    mkdirSync(path.join(home, ".vscode-server"), { recursive: true });
    const found = await discoverTargets([windows, wsl], { clients: ["vscode"] });
    expect(found.map((t) => [t.env.id, t.path])).toContainEqual([
      "wsl:Ubuntu",
      "/home/bob/.vscode-server/data/User/mcp.json",
    ]);
  });
});

describe("entries read as Cline reads them", () => {
  test("its nested form (what its CLI writes), `streamableHttp`, and a url without `type` as SSE", () => {
    const nested = readEntry(
      { transport: { type: "streamableHttp", url: "https://x/mcp", headers: { A: "b" } }, disabled: false },
      "cline",
    );
    expect(nested).toMatchObject({ kind: "remote", url: "https://x/mcp", type: "http", headers: { A: "b" } });
    expect(readEntry({ url: "https://x/sse" }, "cline")).toMatchObject({ kind: "remote", type: "sse" });
    expect(readEntry({ command: "node", args: ["s.js"], autoApprove: ["t"] }, "cline")).toMatchObject({
      kind: "stdio",
      command: "node",
    });
  });

  test("a `type` Cline does not know fails its schema: said, as it loads no server of the file then", () => {
    const view = readEntry({ type: "http", url: "https://x/mcp" }, "cline");
    expect(view.kind).toBe("invalid");
    expect(view.problems.join()).toMatch(/not one of Cline's .*loads no server of this file/);
  });

  test("only ${env:VAR} is expanded; an unset one stays as written", () => {
    const view = readEntry(
      { command: "node", env: { A: "${env:HOME_X}", B: "${HOME_X}", C: "${env:NOPE}" } },
      "cline",
    );
    const out = expandEntry(view, "cline", { vars: (n) => (n === "HOME_X" ? "/h" : undefined), home: "/h" });
    expect(out.view.env).toEqual({ A: "/h", B: "${HOME_X}", C: "${env:NOPE}" });
    expect(out.unset).toEqual(["NOPE"]);
  });

  test("its start-up wait is the entry's `timeout` in seconds (1 to 3600); else 3 s for stdio (its CLI's)", () => {
    const cline = clientById("cline");
    expect(cline?.startupTimeoutMs({ command: "x", timeout: 5 }, {})).toBe(5000);
    expect(cline?.startupTimeoutMs({ command: "x", timeout: 60_000 }, {})).toBe(3_600_000);
    expect(cline?.startupTimeoutMs({ command: "x" }, {})).toBe(3000);
    expect(cline?.startupTimeoutMs({ type: "streamableHttp", url: "http://x/mcp" }, {})).toBe(60_000);
  });
});

describe("entries read as Roo Code (and Zoo Code) reads them", () => {
  test("`streamable-http` is Streamable HTTP; a url needs `type`", () => {
    expect(readEntry({ type: "streamable-http", url: "https://x/mcp" }, "roo-code")).toMatchObject({
      kind: "remote",
      type: "http",
    });
    const untyped = readEntry({ url: "https://x/mcp" }, "roo-code");
    expect(untyped.kind).toBe("invalid");
    expect(untyped.problems.join()).toMatch(/no "type", which Roo Code requires/);
  });

  test("${env:VAR} and ${workspaceFolder} are expanded", () => {
    const view = readEntry(
      { command: "node", args: ["${workspaceFolder}/s.js"], env: { K: "${env:K}" } },
      "roo-code",
    );
    const out = expandEntry(view, "roo-code", { vars: () => "v", home: "/h", project: "/p" });
    expect(out.view.args).toEqual(["/p/s.js"]);
    expect(out.view.env).toEqual({ K: "v" });
  });
});
