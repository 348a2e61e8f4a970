/** Per-share client tokens (core/bridge-link/client-token.ts) and the bridge's guard taking them. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { clientToken, verifyClientToken } from "../../src/core/bridge-link/client-token.js";
import { tokenScope } from "../../src/core/bridge-link/state-folder.js";

const BRIDGE = "b".repeat(43);

/** A folder of the test's own, removed when it ends. */
function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-ct-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("client tokens", () => {
  test("minted for one share, verified to the share and label it names; dots in the label are fine", () => {
    const token = clientToken(BRIDGE, "memory", "wsl-Ubuntu:claude-code");
    expect(token).toMatch(/^mt2\.memory\.wsl-Ubuntu:claude-code\.[A-Za-z0-9_-]{43}$/);
    expect(verifyClientToken(BRIDGE, token)).toEqual({ share: "memory", label: "wsl-Ubuntu:claude-code" });
    expect(verifyClientToken(BRIDGE, clientToken(BRIDGE, "a_b-1", "a.b.c"))).toEqual({
      share: "a_b-1",
      label: "a.b.c",
    });
    expect(clientToken(BRIDGE, "s", "x")).not.toBe(clientToken(BRIDGE, "s", "y"));
    expect(clientToken(BRIDGE, "s", "x")).not.toBe(clientToken(BRIDGE, "t", "x"));
  });

  test("another bridge token, a changed share, label or MAC, another prefix, or none: not valid", () => {
    const token = clientToken(BRIDGE, "memory", "windows:cursor");
    expect(verifyClientToken("other-token", token)).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.replace("cursor", "vscode"))).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.replace("mt2.memory.", "mt2.github."))).toBeUndefined();
    // The share moved into the label, or the label's first part into the share: the MAC says no.
    expect(
      verifyClientToken(BRIDGE, token.replace("mt2.memory.windows", "mt2.memory-windows")),
    ).toBeUndefined();
    expect(
      verifyClientToken(BRIDGE, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`),
    ).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.slice(4))).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.replace(/^mt2\./, "mt1."))).toBeUndefined();
    for (const junk of ["", "mt2.", "mt2..", "mt2.x", "mt2.x.y", `mt2. .${token.split(".").at(-1)}`])
      expect(verifyClientToken(BRIDGE, junk), junk).toBeUndefined();
  });

  test("a share that is no server name, or a label that cannot travel in a header, is refused", () => {
    for (const bad of ["", "a b", "a\nb", "ü", "x".repeat(201)])
      expect(() => clientToken(BRIDGE, "s", bad), JSON.stringify(bad)).toThrow(/label/);
    for (const bad of ["", "a.b", "-a", "a/b", "x".repeat(65)])
      expect(() => clientToken(BRIDGE, bad, "l"), JSON.stringify(bad)).toThrow(/share/);
  });

  test("the guard takes the bridge token anywhere, a client token only on its share, and drops both on rotation", () => {
    const file = path.join(scratch(), "token");
    writeFileSync(file, `${BRIDGE}\n`);
    const guard = new TokenGuard(file, BRIDGE);
    const minted = clientToken(BRIDGE, "memory", "linux:claude-code");
    expect(guard.check(`Bearer ${BRIDGE}`)).toBe(true);
    expect(guard.check(`Bearer ${BRIDGE}`, undefined, "memory")).toBe(true);
    expect(guard.check(`Bearer ${minted}`, undefined, "memory")).toBe(true);
    expect(guard.check(`Bearer ${minted}`, undefined, "github")).toBe(false);
    expect(guard.check(`Bearer ${minted}`)).toBe(false);
    // A connection that proved it for its share does not carry it to another route.
    const connection = {};
    expect(guard.check(`Bearer ${minted}`, connection, "memory")).toBe(true);
    expect(guard.check(`Bearer ${minted}`, connection, "memory")).toBe(true);
    expect(guard.check(`Bearer ${minted}`, connection)).toBe(false);
    expect(guard.check(`Bearer ${minted}`, connection, "github")).toBe(false);
    expect(
      guard.check(
        `Bearer ${clientToken("someone-else", "memory", "linux:claude-code")}`,
        undefined,
        "memory",
      ),
    ).toBe(false);
    expect(guard.check(undefined, undefined, "memory")).toBe(false);
    writeFileSync(file, "rotated-token\n");
    // The file's mtime moves forward for sure (a rotation within the same tick would be unseen).
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(guard.check(`Bearer ${minted}`, undefined, "memory")).toBe(false);
    expect(
      guard.check(
        `Bearer ${clientToken("rotated-token", "memory", "linux:claude-code")}`,
        undefined,
        "memory",
      ),
    ).toBe(true);
  });

  test("a server named `tools` and /tools (tools on demand) get tokens apart: neither opens the other", () => {
    const file = path.join(scratch(), "token");
    writeFileSync(file, `${BRIDGE}\n`);
    const guard = new TokenGuard(file, BRIDGE);
    // As sync and the relay mint them: for the path's scope.
    const minted = (pathname: string) => clientToken(BRIDGE, tokenScope(pathname) ?? "", "linux:opencode");
    const [tools, share] = [minted("/tools"), minted("/share/tools")];
    expect(tools).not.toBe(share);
    expect(guard.check(`Bearer ${tools}`, undefined, tokenScope("/tools"))).toBe(true);
    expect(guard.check(`Bearer ${share}`, undefined, tokenScope("/share/tools"))).toBe(true);
    expect(guard.check(`Bearer ${tools}`, undefined, tokenScope("/share/tools"))).toBe(false);
    expect(guard.check(`Bearer ${share}`, undefined, tokenScope("/tools"))).toBe(false);
  });
});
