/** Cache files that check themselves (core/system/sealed-json.ts) and the registry's answers kept with them. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { registryCache } from "../../src/core/registry/answer-cache.js";
import { openSealedJson, sealJson } from "../../src/core/system/sealed-json.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("what was sealed opens; anything else — cut short, edited, unsealed, not JSON — opens to nothing", () => {
  const data = { version: 1, entries: { "wsl:Ubuntu": { facts: { id: "wsl:Ubuntu", vars: { A: "b" } } } } };
  const text = sealJson(data);
  expect(openSealedJson(text)).toEqual(data);
  expect(openSealedJson(text.slice(0, text.length / 2))).toBeUndefined();
  expect(openSealedJson(text.replace('"b"', '"c"'))).toBeUndefined();
  expect(openSealedJson(JSON.stringify(data))).toBeUndefined();
  for (const junk of ["", "null", "[]", '{"sum":1,"data":{}}', "\u0000\u0001", '{"sum":"x"}'])
    expect(openSealedJson(junk)).toBeUndefined();
  expect(openSealedJson(undefined)).toBeUndefined();
});

test("a damaged registry answer is no answer (the registry is asked again)", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-regcache-"));
  dirs.push(dir);
  const cache = registryCache(dir, () => 1_000);
  const url = "https://registry.example/v0.1/servers?search=x";
  await cache.put(url, { servers: [{ name: "io.example/x" }] });
  expect(cache.get(url)?.body).toEqual({ servers: [{ name: "io.example/x" }] });
  const [file] = readdirSync(dir);
  const text = readFileSync(path.join(dir, file!), "utf8");
  writeFileSync(path.join(dir, file!), text.replace("io.example/x", "io.example/y"));
  expect(cache.get(url)).toBeUndefined();
});
