/** Which process of a shared server a request belongs to (bridge-server/gateway/session-keys.ts), pure. */
import { describe, expect, test } from "vitest";
import {
  childKeyOf,
  PROJECT_HEADER,
  projectFolder,
  SESSION_HEADER,
} from "../../../src/bridge-server/gateway/session-keys.js";

const wsl = { platform: "linux" as const, mountRoot: "/mnt/", distro: "Ubuntu" };

describe("share keys", () => {
  test("machine: one for all; session: the 2025-11-25 session, else the Mcp-Twin-Session header", () => {
    expect(childKeyOf("machine", {}, wsl)).toEqual({ ok: true, key: "machine" });
    expect(childKeyOf("session", {}, wsl, "sid-1")).toEqual({ ok: true, key: "session:sid-1" });
    expect(childKeyOf("session", { [SESSION_HEADER]: "relay-7" }, wsl)).toEqual({
      ok: true,
      key: "session:relay-7",
    });
    const none = childKeyOf("session", {}, wsl);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.why).toMatch(
      /once per client session.*2026-07-28 has no sessions.*mcp-twin connect/,
    );
  });

  test("project: the folder the header names, a Windows path taken into WSL, trailing slashes dropped", () => {
    expect(childKeyOf("project", { [PROJECT_HEADER]: "/home/u/app/" }, wsl)).toEqual({
      ok: true,
      key: "project:/home/u/app",
      cwd: "/home/u/app",
    });
    expect(childKeyOf("project", new Headers({ [PROJECT_HEADER]: "C:\\Users\\u\\app" }), wsl)).toEqual({
      ok: true,
      key: "project:/mnt/c/Users/u/app",
      cwd: "/mnt/c/Users/u/app",
    });
    expect(projectFolder("\\\\wsl.localhost\\Ubuntu\\home\\u\\x", wsl)).toMatchObject({ cwd: "/home/u/x" });
    // UTF-8 as the client sent it (node reads header bytes as latin1).
    const cafe = Buffer.from("/home/u/Café", "utf8").toString("latin1");
    expect(childKeyOf("project", { [PROJECT_HEADER]: cafe }, wsl)).toMatchObject({ cwd: "/home/u/Café" });
  });

  test("project: none named, a relative one, or another distro's are refused with the fix", () => {
    const none = childKeyOf("project", {}, wsl);
    expect(!none.ok && none.why).toMatch(/once per project folder.*Mcp-Twin-Project header.*mcp-twin sync/);
    expect(projectFolder("app", wsl)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/absolute path/),
    });
    expect(projectFolder("\\\\wsl.localhost\\Debian\\home", wsl)).toMatchObject({ ok: false });
  });
});
