/**
 * Names a prompt-injected model might send — `__proto__`, `constructor`, `prototype`, `toString`,
 * `hasOwnProperty` — at every tool of the real bridge, as namespaces, keys, values' keys, note
 * paths, hand-off fields and tool names. Nothing is polluted (every client keeps working, even a
 * new `initialize`), nothing is acknowledged and lost, nothing is found that was never stored, and
 * what was stored survives a restart (the stores' parsers rebuild it safely).
 */
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, test } from "vitest";
import { parseHandoff } from "../../src/bridge-server/tools/handoff-data.js";
import { parseMemory } from "../../src/bridge-server/tools/memory-data.js";
import { own } from "../../src/core/plain-records.js";
import { bridgeForFile, call, cleanup, httpClient, type RunningBridge, startBridge } from "./helpers.js";

afterEach(cleanup);

/** The bridge of the tests that take hostile names on one session (and leave no note behind). */
const shared = bridgeForFile();

const HOSTILE = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"] as const;

/** A JSON value whose own keys are the hostile name (JSON.parse makes `__proto__` an own key). */
const valueWithKey = (name: string) => JSON.parse(`{${JSON.stringify(name)}: {"polluted": "yes"}, "n": 1}`);

async function freshClientWorks(b: RunningBridge) {
  const client = await httpClient(b.url, b.token, "after");
  expect((await call(client, "memory_get", { key: "polluted", namespace: "default" })).data.found).toBe(
    false,
  );
  expect((await call(client, "memory_set", { key: "alive", value: true })).isError).toBe(false);
}

describe("hostile names", () => {
  test("memory: every name is a plain key, never a path into Object.prototype", async () => {
    const b = await startBridge();
    const client = await httpClient(b.url, b.token);
    for (const name of HOSTILE) {
      // Nothing stored yet: nothing is found, nothing is deleted.
      expect((await call(client, "memory_get", { key: name })).data.found, name).toBe(false);
      expect((await call(client, "memory_get", { key: "x", namespace: name })).data.found, name).toBe(false);
      expect((await call(client, "memory_delete", { key: name })).data.deleted, name).toBe(false);
      expect((await call(client, "memory_list", { namespace: name })).data.entries, name).toEqual([]);
    }
    for (const name of HOSTILE) {
      const set = await call(client, "memory_set", { namespace: name, key: name, value: valueWithKey(name) });
      expect(set.data, name).toMatchObject({ namespace: name, key: name, version: 1, created: true });
      await call(client, "memory_set", { key: name, value: name });
    }
    await freshClientWorks(b);
    const check = async (c: typeof client) => {
      for (const name of HOSTILE) {
        const got = await call(c, "memory_get", { namespace: name, key: name });
        expect(got.data.found, name).toBe(true);
        // The value as sent, its own hostile key included (the text answer is plain JSON).
        expect(Object.hasOwn(got.data.value, name), name).toBe(true);
        expect(got.data.value[name], name).toEqual({ polluted: "yes" });
        expect((await call(c, "memory_get", { key: name })).data.value, name).toBe(name);
        expect(
          (await call(c, "memory_list", { namespace: name })).data.entries.map((e: { key: string }) => e.key),
        ).toEqual([name]);
      }
      const namespaces = (await call(c, "memory_list", {})).data.namespaces;
      expect(namespaces).toEqual(expect.arrayContaining([...HOSTILE, "default"]));
    };
    await check(client);
    // A restart reads the store back through its parser: the same names, the same values.
    await b.stop();
    const again = await startBridge({ root: b.root });
    await check(await httpClient(again.url, again.token));
    const c2 = await httpClient(again.url, again.token);
    for (const name of HOSTILE) {
      expect((await call(c2, "memory_delete", { namespace: name, key: name })).data.deleted, name).toBe(true);
      expect((await call(c2, "memory_get", { namespace: name, key: name })).data.found, name).toBe(false);
    }
    await freshClientWorks(again);
  }, 60_000);

  test("notes, hand-offs and bridge_status take hostile names as plain data", async () => {
    const b = shared();
    const client = await httpClient(b.url, b.token, "constructor");
    for (const name of HOSTILE) {
      expect((await call(client, "notes_read", { path: name })).text, name).toBe("No such note.");
      expect(
        (await call(client, "notes_write", { path: name, content: `# ${name}\n` })).data,
        name,
      ).toMatchObject({
        path: `${name}.md`,
        created: true,
      });
      expect((await call(client, "notes_read", { path: name })).text).toBe(`# ${name}\n`);
      for (const tool of ["handoff_get", "handoff_claim"])
        expect((await call(client, tool, { id: name })).text, `${tool} ${name}`).toMatch(/No hand-off item/);
      expect((await call(client, "handoff_complete", { id: name, result: "r" })).text).toMatch(
        /No hand-off item/,
      );
      const posted = (await call(client, "handoff_post", { title: name, body: name, to: name, from: name }))
        .data.item;
      expect(posted).toMatchObject({ title: name, body: name, to: name, from: name, status: "open" });
      expect(
        (await call(client, "handoff_list", { to: name })).data.items.map((i: { id: string }) => i.id),
      ).toContain(posted.id);
      expect((await call(client, "handoff_claim", { id: posted.id, by: name })).data.item.claimedBy).toBe(
        name,
      );
      expect(
        (await call(client, "handoff_complete", { id: posted.id, result: name, by: name })).data.item,
      ).toMatchObject({ status: "done", result: name, completedBy: name });
      // Extra arguments named like prototype members are ignored, not followed.
      expect((await call(client, "bridge_status", valueWithKey(name))).isError, name).toBe(false);
    }
    const notes = (await call(client, "notes_list")).data.notes.map((n: { path: string }) => n.path);
    expect(notes).toEqual(expect.arrayContaining(HOSTILE.map((n) => `${n}.md`)));
    for (const name of HOSTILE)
      expect((await call(client, "notes_delete", { path: name })).data.deleted).toBe(true);
    await freshClientWorks(b);
  }, 60_000);

  test("a tool named like a prototype member is an unknown tool: JSON-RPC error -32602", async () => {
    const b = shared();
    const client = await httpClient(b.url, b.token);
    for (const name of [...HOSTILE, "no_such_tool"]) {
      const error = await client.callTool({ name, arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code, name).toBe(ProtocolErrorCode.InvalidParams);
      expect((error as ProtocolError).message, name).toMatch(/Unknown tool/);
    }
    await freshClientWorks(b);
  });
});

describe("the stores' parsers", () => {
  test("a memory file with hostile names is rebuilt without touching Object.prototype", () => {
    const text = `{"version":1,"namespaces":{"__proto__":{"polluted":{"value":"yes","version":1,"updatedAt":"t"}},
      "constructor":{"toString":{"value":{"__proto__":{"x":1}},"version":2,"updatedAt":"t"}}}}`;
    const data = parseMemory(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(own(own(data.namespaces, "__proto__"), "polluted")?.value).toBe("yes");
    const entry = own(own(data.namespaces, "constructor"), "toString")!;
    expect(entry.version).toBe(2);
    expect(JSON.stringify(entry.value)).toBe('{"__proto__":{"x":1}}');
    expect(own(data.namespaces, "toString")).toBeUndefined();
    expect(Object.keys(data.namespaces).sort()).toEqual(["__proto__", "constructor"]);
  });

  test("a hand-off file keeps only its items' own string fields", () => {
    const data = parseHandoff(
      JSON.parse(
        `{"version":1,"nextId":2,"items":[{"id":"1","title":"t","from":"a","status":"open","createdAt":"c","updatedAt":"u","__proto__":{"to":"evil"},"result":5}]}`,
      ),
    );
    expect(data.items[0]).toEqual({
      id: "1",
      title: "t",
      from: "a",
      status: "open",
      createdAt: "c",
      updatedAt: "u",
    });
    expect(data.items[0]!.to).toBeUndefined();
    expect(() => parseHandoff({ version: 1, nextId: 1, items: [{ id: 1 }] })).toThrow(/items\[0\]/);
  });
});
