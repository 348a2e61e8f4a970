/** Pure parts of the bridge, table-driven: note paths, tokens, the store, option and header parsing. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { headerOf } from "../../src/bridge-server/http-guards.js";
import { JsonStore } from "../../src/bridge-server/json-store.js";
import { KeyedQueue, NotePathError, notePath } from "../../src/bridge-server/notes-folder.js";
import { TokenGuard } from "../../src/bridge-server/token-guard.js";
import { parseHeader } from "../../src/commands/connect/prepare.js";
import { parseServeOptions } from "../../src/commands/serve/options.js";
import { bridgeHome, bridgeUrl, ensureToken, rotateToken } from "../../src/core/bridge-link/index.js";
import { UsageError } from "../../src/core/errors.js";
import { isLoopback } from "../../src/core/system/loopback.js";
import { cleanup, tempDir } from "./helpers.js";

afterEach(cleanup);

describe("notePath", () => {
  test.each([
    ["plans/auth", "plans/auth.md"],
    ["plans\\auth.md", "plans/auth.md"],
    ["a//b/./c.MD", null],
    ["README.md", "README.md"],
    ["deep/er/x.md", "deep/er/x.md"],
  ])("%s → %s", (input, name) => {
    if (name === null) expect(() => notePath("/n", input)).toThrow(NotePathError);
    else expect(notePath("/n", input)).toEqual({ name, file: path.join("/n", ...name.split("/")) });
  });
  test.each([
    "..",
    "../x",
    "a/../../x",
    "/abs",
    "C:/x",
    "c:x",
    "\\\\server\\share",
    "~/x",
    ".env",
    "a/.b/c",
    "a\u0000b",
    "x|y",
    "",
  ])("refuses %j", (input) => expect(() => notePath("/n", input)).toThrow(NotePathError));
});

describe("token", () => {
  test("created once (exclusive), 43 base64url chars, rotation replaces it", async () => {
    const file = path.join(tempDir(), "state", "token");
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureToken(file)));
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const next = await rotateToken(file);
    expect(next).not.toBe(results[0]!.token);
    expect(readFileSync(file, "utf8").trim()).toBe(next);
  });
  test("TokenGuard checks the Bearer header in constant time and follows rotations", async () => {
    const file = path.join(tempDir(), "token");
    writeFileSync(file, "abc\n");
    const guard = new TokenGuard(file, "abc");
    expect(guard.check("Bearer abc")).toBe(true);
    expect(guard.check("bearer abc")).toBe(true);
    for (const h of [undefined, "", "Bearer", "Bearer abcd", "Bearer ab", "Basic abc", "Bearer abc def"])
      expect(guard.check(h)).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, "xyz\n");
    expect(guard.check("Bearer abc")).toBe(false);
    expect(guard.check("Bearer xyz")).toBe(true);
  });
  test("TokenGuard: a connection's proven header is not hashed again, and stops passing once the token rotates", async () => {
    const file = path.join(tempDir(), "token");
    writeFileSync(file, "abc\n");
    const guard = new TokenGuard(file, "abc");
    const [proven, other] = [{}, {}];
    expect(guard.check("Bearer wrong", proven)).toBe(false);
    expect(guard.check("Bearer abc", proven)).toBe(true);
    expect(guard.check("Bearer abc", proven)).toBe(true);
    // Another header on the proven connection, or another connection: checked in full.
    expect(guard.check("Bearer abd", proven)).toBe(false);
    expect(guard.check(undefined, proven)).toBe(false);
    expect(guard.check("Bearer abd", other)).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, "xyz\n");
    expect(guard.check("Bearer abc", proven)).toBe(false);
    expect(guard.check("Bearer xyz", proven)).toBe(true);
    expect(guard.check("Bearer abc", proven)).toBe(false);
  });
});

describe("JsonStore", () => {
  test("concurrent updates are coalesced into few writes and none is lost", async () => {
    const file = path.join(tempDir(), "s.json");
    const store = await JsonStore.open(
      file,
      () => ({ n: 0, seen: [] as number[] }),
      (raw) => raw as { n: number; seen: number[] },
    );
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.update((d) => {
          d.n++;
          d.seen.push(i);
        }),
      ),
    );
    const onDisk = JSON.parse(readFileSync(file, "utf8"));
    expect(onDisk.n).toBe(500);
    expect(new Set(onDisk.seen).size).toBe(500);
    const reopened = await JsonStore.open(
      file,
      () => ({ n: 0, seen: [] }),
      (raw) => raw as { n: number; seen: number[] },
    );
    expect(reopened.data.n).toBe(500);
  });
  test("a store edited into invalid JSON is reported, not replaced", async () => {
    const file = path.join(tempDir(), "s.json");
    writeFileSync(file, "{ oops");
    await expect(
      JsonStore.open(
        file,
        () => ({}),
        (r) => r,
      ),
    ).rejects.toThrow(/not a valid bridge store/);
    expect(readFileSync(file, "utf8")).toBe("{ oops");
  });
  test("KeyedQueue runs one key's tasks in order", async () => {
    const q = new KeyedQueue();
    const order: number[] = [];
    await Promise.all(
      [3, 1, 2].map((ms, i) =>
        q.run("k", async () => {
          await new Promise((r) => setTimeout(r, ms * 5));
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2]);
  });
});

describe("options and headers", () => {
  test("serve options", () => {
    // No --host / --port: the manifest's settings decide (settings.ts).
    expect(parseServeOptions({})).toMatchObject({
      host: undefined,
      port: undefined,
      plugins: true,
      share: [],
    });
    expect(parseServeOptions({ port: "0", share: ["a"], plugins: false }).port).toBe(0);
    for (const bad of [{ port: "x" }, { port: "70000" }, { port: "-1" }, { allowOrigin: ["localhost:3000"] }])
      expect(() => parseServeOptions(bad)).toThrow(UsageError);
  });
  test("connect headers expand ${VAR} from the environment and refuse what is unset or malformed", () => {
    const env = { TOKEN: "Bearer t0k3n", X: "1" };
    expect(parseHeader("Authorization: ${TOKEN}", env)).toEqual(["Authorization", "Bearer t0k3n"]);
    expect(parseHeader("X-Trace:a${X}b", env)).toEqual(["X-Trace", "a1b"]);
    expect(() => parseHeader("Authorization: ${MISSING}", env)).toThrow(/\$\{MISSING\}/);
    expect(() => parseHeader("no colon", env)).toThrow(UsageError);
    expect(() => parseHeader("Bad Name: v", env)).toThrow(UsageError);
  });
  test("state folder: MCP_TWIN_BRIDGE_HOME, else XDG data, else ~/.local/share; %LOCALAPPDATA% on Windows", () => {
    expect(bridgeHome({ platform: "linux", env: { MCP_TWIN_BRIDGE_HOME: "/b", HOME: "/h" } })).toBe("/b");
    expect(bridgeHome({ platform: "linux", env: { XDG_DATA_HOME: "/d", HOME: "/h" } })).toBe(
      "/d/mcp-twin/bridge",
    );
    expect(bridgeHome({ platform: "linux", env: { HOME: "/h" } })).toBe("/h/.local/share/mcp-twin/bridge");
    expect(bridgeHome({ platform: "win32", env: { LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" } })).toBe(
      "C:\\Users\\a\\AppData\\Local\\mcp-twin\\bridge",
    );
    expect(bridgeUrl("::1", 7760)).toBe("http://[::1]:7760/mcp");
    expect([
      isLoopback("127.0.0.1"),
      isLoopback("127.1.2.3"),
      isLoopback("[::1]"),
      isLoopback("localhost"),
    ]).toEqual([true, true, true, true]);
    expect([isLoopback("0.0.0.0"), isLoopback("192.168.1.2"), isLoopback("localhost.evil.example")]).toEqual([
      false,
      false,
      false,
    ]);
  });
});

test("headerOf reads Node's headers without touching the global Headers (its first read loads undici, ~125 ms of a first request), and still reads a web Headers", () => {
  const web = new Headers({ authorization: "Bearer w" });
  const real = Object.getOwnPropertyDescriptor(globalThis, "Headers")!;
  Object.defineProperty(globalThis, "Headers", {
    configurable: true,
    get: () => {
      throw new Error("the global Headers was read");
    },
  });
  try {
    expect(headerOf({ authorization: "Bearer n", "x-two": ["a", "b"] }, "authorization")).toBe("Bearer n");
    expect(headerOf({ "x-two": ["a", "b"] }, "x-two")).toBe("a");
    expect(headerOf(undefined, "authorization")).toBeUndefined();
  } finally {
    Object.defineProperty(globalThis, "Headers", real);
  }
  expect(headerOf(web, "authorization")).toBe("Bearer w");
});
