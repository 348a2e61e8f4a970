/**
 * Sealed session ids (session-seal.ts) on their own: the key file made once (0600) and reused, an id
 * opened only by its credential and its key, a large client info cut to fit.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { SessionSeal } from "../../src/bridge-server/session-seal.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const keyFile = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-seal-"));
  dirs.push(dir);
  return path.join(dir, "state", "session-key");
};

const session = {
  endpoint: "/share/s",
  init: {
    protocolVersion: "2025-11-25",
    clientInfo: { name: "c", version: "1" },
    capabilities: { roots: {} },
  },
  headers: { "mcp-twin-project": "/home/me/app" },
};
const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe("sealed session ids", () => {
  test("the key is made once, 0600, and a second seal of the same file opens the first one's ids", async () => {
    const file = keyFile();
    const a = await SessionSeal.open(file);
    const key = readFileSync(file, "utf8");
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
    const id = a.seal(session, as("t1"));
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).not.toContain("home");
    const b = await SessionSeal.open(file);
    expect(readFileSync(file, "utf8")).toBe(key);
    expect(b.unseal(id, as("t1"))).toEqual(session);
    // Two seals of the same session are two ids.
    expect(a.seal(session, as("t1"))).not.toBe(id);
  });

  test("another credential, another key, or one character changed: nothing opens", async () => {
    const seal = await SessionSeal.open(keyFile());
    const other = await SessionSeal.open(keyFile());
    const id = seal.seal(session, as("t1"));
    expect(seal.unseal(id, as("t2"))).toBeUndefined();
    expect(seal.unseal(id, {})).toBeUndefined();
    expect(other.unseal(id, as("t1"))).toBeUndefined();
    const flipped = `${id.slice(0, 20)}${id[20] === "A" ? "B" : "A"}${id.slice(21)}`;
    expect(seal.unseal(flipped, as("t1"))).toBeUndefined();
    expect(seal.unseal("not-an-id", as("t1"))).toBeUndefined();
    expect(seal.unseal(crypto.randomUUID(), as("t1"))).toBeUndefined();
  });

  test("a client info or capabilities too large for a header are cut to their bones", async () => {
    const seal = await SessionSeal.open(keyFile());
    const big = {
      ...session,
      init: {
        protocolVersion: "2025-11-25",
        clientInfo: { name: "c", version: "1", description: "x".repeat(10_000) } as {
          name: string;
          version: string;
        },
        capabilities: { experimental: { blob: "y".repeat(10_000) }, elicitation: { form: {} } },
      },
    };
    const id = seal.seal(big, as("t"));
    expect(id.length).toBeLessThan(4096);
    expect(seal.unseal(id, as("t"))?.init).toEqual({
      protocolVersion: "2025-11-25",
      clientInfo: { name: "c", version: "1" },
      capabilities: { experimental: {}, elicitation: {} },
    });
  });

  test("a key file that is not a key stops the start, saying what to do", async () => {
    const file = keyFile();
    await SessionSeal.open(file);
    writeFileSync(file, "short\n");
    await expect(SessionSeal.open(file)).rejects.toThrow(/remove it/);
  });
});
