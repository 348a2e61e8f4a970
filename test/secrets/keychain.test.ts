/**
 * Keys where keys belong (issue 87): with a real Secret Service (gnome-keyring on a private D-Bus
 * bus), `secret set` keeps a key in it and no file under the home holds the key nor its base64; an
 * existing secrets.json is moved into it on the first read, said in one line; with no keychain the
 * file is used, and said.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeMachine, runInProcessByDefault, writeSecrets } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { type SecretService, startSecretService } from "../helpers/secret-service.js";

runInProcessByDefault();

const KEY = "fixture-key-7Qe2mXc4Rb9LpW3s";
const setup = fixtureMachines(KEY);

let bus: SecretService;
const before = process.env.DBUS_SESSION_BUS_ADDRESS;
beforeAll(() => {
  bus = startSecretService();
  // The native library reads the bus address from this process's environment (in-process runs).
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
});
afterAll(() => {
  if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = before;
  bus.stop();
});

const service = (m: FakeMachine) => `mcp-twin:${m.paths.home}`;

/** Every file under a folder whose bytes hold the key or its base64. */
function holding(dir: string, key: string): string[] {
  const spellings = [key, Buffer.from(key).toString("base64")];
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const file = path.join(dir, name);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
    const text = readFileSync(file, "latin1");
    if (spellings.some((s) => text.includes(s))) found.push(file);
  }
  return found;
}

describe("with the Secret Service answering", () => {
  test("`secret set` keeps the key there: no file under the home holds it, and `secret list` says where", async () => {
    const m = setup({ kind: "linux" });
    writeSecrets(m, {});
    const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("Stored FIXTURE_TOKEN in the Secret Service.");
    expect(bus.items(service(m))).toEqual({ FIXTURE_TOKEN: KEY });
    expect(holding(m.paths.home, KEY)).toEqual([]);
    const list = await m.run(["secret", "list"]);
    expect(list.stdout).toMatch(/FIXTURE_TOKEN\s+stored in the Secret Service, used by fixture/);
    expect(list.stdout + list.stderr).not.toContain(KEY);
    const rm = await m.run(["secret", "rm", "FIXTURE_TOKEN"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(bus.items(service(m))).toEqual({});
  });

  test("a home's secrets.json is moved into it on the first read, said in one line; nothing is left in the file", async () => {
    const m = setup({ kind: "linux" });
    const file = path.join(m.paths.home, "secrets.json");
    expect(readFileSync(file, "utf8")).toContain(KEY);
    const r = await m.run(["sync", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain("Moved FIXTURE_TOKEN from");
    expect(r.stdout + r.stderr).toContain("into the Secret Service.");
    expect(bus.items(service(m))).toEqual({ FIXTURE_TOKEN: KEY });
    expect(readFileSync(file, "utf8")).not.toContain(KEY);
    // Said once: the next run reads the keychain only.
    const again = await m.run(["secret", "list"]);
    expect(again.stdout + again.stderr).not.toContain("Moved");
    expect(again.stdout).toMatch(/FIXTURE_TOKEN\s+stored in the Secret Service/);
  });

  test("a home whose keys are in the keychain, the keychain gone: said, and no empty file read instead", async () => {
    const m = setup({ kind: "linux" });
    expect((await m.run(["secret", "list"])).code).toBe(0);
    process.env.DBUS_SESSION_BUS_ADDRESS = "unix:path=/nonexistent/bus";
    try {
      const r = await m.run(["sync", "--dry-run"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("Your keys are in the OS keychain, and the Secret Service did not answer");
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
    }
  });
});

describe("with no keychain", () => {
  test("the file keeps the keys, and `secret set` and `secret list` say so", async () => {
    const m = setup({ kind: "linux" });
    process.env.DBUS_SESSION_BUS_ADDRESS = "unix:path=/nonexistent/bus";
    try {
      const set = await m.run(["secret", "set", "OTHER_KEY"], { input: "other-value-0123456789" });
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toMatch(/Stored OTHER_KEY in .*secrets\.json \(mode 0600\)/);
      expect(set.stdout + set.stderr).toContain("No OS keychain is used: the Secret Service did not answer");
      const list = await m.run(["secret", "list"]);
      expect(list.stdout + list.stderr).toMatch(/Keys are kept in .*secrets\.json \(mode 0600\): the Secret Service did not answer/);
      expect(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).toContain(KEY);
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
    }
  });
});
