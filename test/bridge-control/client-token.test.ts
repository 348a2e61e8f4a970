/** Per-target client tokens (core/bridge-control/client-token.ts) and the bridge's guard taking them. */
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { clientToken, verifyClientToken } from "../../src/core/bridge-control/client-token.js";

const BRIDGE = "b".repeat(43);

describe("client tokens", () => {
  test("minted per target, verified to the target id it names; dots in the id are fine", () => {
    const token = clientToken(BRIDGE, "wsl-Ubuntu:claude-code:user");
    expect(token).toMatch(/^mt1\.wsl-Ubuntu:claude-code:user\.[A-Za-z0-9_-]{43}$/);
    expect(verifyClientToken(BRIDGE, token)).toBe("wsl-Ubuntu:claude-code:user");
    expect(verifyClientToken(BRIDGE, clientToken(BRIDGE, "a.b.c"))).toBe("a.b.c");
    expect(clientToken(BRIDGE, "x")).not.toBe(clientToken(BRIDGE, "y"));
  });

  test("another bridge token, a changed target id or MAC, or no prefix: not valid", () => {
    const token = clientToken(BRIDGE, "windows:cursor:user");
    expect(verifyClientToken("other-token", token)).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.replace("cursor", "vscode"))).toBeUndefined();
    expect(
      verifyClientToken(BRIDGE, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`),
    ).toBeUndefined();
    expect(verifyClientToken(BRIDGE, token.slice(4))).toBeUndefined();
    for (const junk of ["", "mt1.", "mt1..", "mt1.x", `mt1. .${token.split(".").at(-1)}`])
      expect(verifyClientToken(BRIDGE, junk), junk).toBeUndefined();
  });

  test("a target id that cannot travel in a header is refused", () => {
    for (const bad of ["", "a b", "a\nb", "ü", "x".repeat(201)])
      expect(() => clientToken(BRIDGE, bad), JSON.stringify(bad)).toThrow(/target id/);
  });

  test("the bridge's guard takes the bridge token or a client token of it, and drops both on rotation", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "mcp-twin-ct-")), "token");
    writeFileSync(file, `${BRIDGE}\n`);
    const guard = new TokenGuard(file, BRIDGE);
    const minted = clientToken(BRIDGE, "linux:claude-code:user");
    expect(guard.check(`Bearer ${BRIDGE}`)).toBe(true);
    expect(guard.check(`Bearer ${minted}`)).toBe(true);
    expect(guard.check(`Bearer ${clientToken("someone-else", "linux:claude-code:user")}`)).toBe(false);
    expect(guard.check(undefined)).toBe(false);
    writeFileSync(file, "rotated-token\n");
    // The file's mtime moves forward for sure (a rotation within the same tick would be unseen).
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(guard.check(`Bearer ${minted}`)).toBe(false);
    expect(guard.check(`Bearer ${clientToken("rotated-token", "linux:claude-code:user")}`)).toBe(true);
  });
});
