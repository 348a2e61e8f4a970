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
  test("machine: one for all; session: the 2025-11-25 session, else the Mcp-Twin-Session header under its credential", () => {
    expect(childKeyOf("machine", {}, wsl)).toEqual({ ok: true, key: "machine" });
    const key = (headers: Record<string, string>, session?: string) => {
      const found = childKeyOf("session", headers, wsl, session);
      return found.ok ? found.key : found.why;
    };
    // A label, never the id itself (status shows keys), the same for the same session.
    expect(key({}, "sid-1")).toMatch(/^session:[\w-]{22}$/);
    expect(key({}, "sid-1")).not.toContain("sid-1");
    expect(key({}, "sid-1")).toBe(key({}, "sid-1"));
    const a = { authorization: "Bearer token-a", [SESSION_HEADER]: "relay-7" };
    const b = { authorization: "Bearer token-b", [SESSION_HEADER]: "relay-7" };
    expect(key(a)).toMatch(/^session:[\w-]{22}$/);
    expect(key(a)).toBe(key({ ...a }));
    // Two credentials naming the same value never share a process, nor does a header naming a
    // 2025-11-25 session's id reach that session's.
    expect(key(b)).not.toBe(key(a));
    expect(key({ authorization: "Bearer token-a", [SESSION_HEADER]: "sid-1" })).not.toBe(key({}, "sid-1"));
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

  test("project: none named, an empty one, a relative one, or another distro's are refused with the fix", () => {
    const none = childKeyOf("project", {}, wsl);
    expect(!none.ok && none.why).toMatch(/once per project folder.*Mcp-Twin-Project header.*mcp-twin sync/);
    // Sent, but empty: the client's folder variable was unset; syncing again would not help.
    for (const empty of ["", "  "]) {
      const sent = childKeyOf("project", { [PROJECT_HEADER]: empty }, wsl);
      expect(!sent.ok && sent.why).toMatch(/Mcp-Twin-Project header was empty.*folder variable unset/);
      expect(!sent.ok && sent.why).toMatch(/Start the client from the project's folder/);
      expect(!sent.ok && sent.why).not.toMatch(/sync|must send/);
    }
    const relative = childKeyOf("project", { [PROJECT_HEADER]: "app" }, wsl);
    expect(!relative.ok && relative.why).toMatch(/header named "app".*absolute path/);
    expect(projectFolder("app", wsl)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/absolute path/),
    });
    expect(projectFolder("\\\\wsl.localhost\\Debian\\home", wsl)).toMatchObject({ ok: false });
  });
});
