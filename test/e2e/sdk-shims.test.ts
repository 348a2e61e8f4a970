/**
 * The bundle's `_shims` for the MCP SDK (src/sdk-shims-without-ajv.ts, through scripts/sdk-shims-alias.mjs):
 * they export what the SDK's own Node shims export, the bundle carries no Ajv, and the validator
 * they hand the SDK checks a tool's output as a JSON Schema says.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { SHIMS } from "../../scripts/sdk-shims-alias.mjs";
import * as shims from "../../src/sdk-shims-without-ajv.js";
import { REPO } from "../helpers/fake-machine.js";

const require = createRequire(path.join(REPO, "package.json"));

test("the shims export every name the SDK's own Node shims do, and nothing else", async () => {
  const names = new Set<string>();
  for (const pkg of ["client", "server"]) {
    // The SDK's `_shims` export, as Node resolves it outside the bundle.
    const own = path.join(path.dirname(require.resolve(`@modelcontextprotocol/${pkg}`)), "shimsNode.mjs");
    const exported = Object.keys(await import(pathToFileURL(own).href));
    expect(exported.length).toBeGreaterThan(0);
    for (const name of exported) names.add(name);
  }
  expect(Object.keys(shims).sort()).toEqual([...names].sort());
  expect(shims.CORS_IS_POSSIBLE).toBe(false);
  expect(path.resolve(SHIMS)).toBe(path.join(REPO, "src", "sdk-shims-without-ajv.ts"));
});

test("the build's bundle carries no Ajv: the SDK's validator is the shims' one", () => {
  const dist = path.join(REPO, "dist");
  const files = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  expect(files.length).toBeGreaterThan(10);
  const sources = files.map((f) => readFileSync(path.join(dist, f), "utf8"));
  expect(sources.filter((s) => /\bAjv(2020|2019)?\b/.test(s))).toEqual([]);
  expect(sources.some((s) => s.includes("ZodJsonSchemaValidator"))).toBe(true);
});

test("the validator takes what a tool's outputSchema allows and refuses the rest, saying where", () => {
  const validator = new shims.DefaultJsonSchemaValidator();
  const check = validator.getValidator<{ n: number }>({
    type: "object",
    properties: { n: { type: "number" }, tags: { type: "array", items: { type: "string" } } },
    required: ["n"],
  });
  expect(check({ n: 1, tags: ["a"] })).toMatchObject({ valid: true, data: { n: 1, tags: ["a"] } });
  const refused = check({ n: "one", tags: [2] });
  expect(refused.valid).toBe(false);
  expect(refused.errorMessage).toMatch(/^n: .*; tags\.0: /);
  expect(check({}).valid).toBe(false);
});
