/**
 * A test that filters what it checks by a name that no longer exists asserts on nothing: every
 * doctor check id, client id and client-token prefix a test names is one the product has.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { clientToken } from "../../src/core/bridge-link/client-token.js";
import { CLIENT_IDS } from "../../src/core/clients/ids.js";
import { CHECKS } from "../../src/core/doctor/all-checks.js";

const TEST = fileURLToPath(new URL("../", import.meta.url));
const THIS = fileURLToPath(import.meta.url);

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "fixtures" ? [] : testFiles(full);
    return /\.(ts|mjs|cjs|js)$/.test(name) && full !== THIS ? [full] : [];
  });
}

/** Every `what` a pattern's first group names, with the file:line it is named at. */
function named(pattern: RegExp): Array<{ what: string; where: string }> {
  const out: Array<{ what: string; where: string }> = [];
  for (const file of testFiles(TEST)) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(pattern))
        out.push({ what: m[1]!, where: `${path.relative(TEST, file)}:${i + 1}` });
    });
  }
  return out;
}

const unknown = (found: Array<{ what: string; where: string }>, known: Set<string>) =>
  found.filter((f) => !known.has(f.what)).map((f) => `${f.where}: ${f.what}`);

test("every doctor check id a test picks by is one doctor has", () => {
  const ids = new Set<string>(CHECKS.map((c) => c.id));
  const found = [
    ...named(/\bid === "([a-z]+\.[a-z.-]+)"/g),
    ...named(/\b(?:pick|one)\(\s*[\w.]+,\s*"([a-z]+\.[a-z.-]+)"/g),
  ];
  // The pattern finds what it is for: a scan that matched nothing would prove nothing.
  expect(found.length).toBeGreaterThan(50);
  expect(unknown(found, ids)).toEqual([]);
});

test("every client id a test filters by is a client mcp-twin has", () => {
  const found = named(/\bclient === "([a-z0-9-]+)"/g);
  expect(found.length).toBeGreaterThan(30);
  expect(unknown(found, new Set<string>(CLIENT_IDS))).toEqual([]);
});

test("every client-token prefix a test looks for is the one tokens carry", () => {
  const prefix = /^(mt\d+)\./.exec(clientToken("bridge-token", "s", "wsl:Ubuntu:x"))?.[1];
  expect(prefix).toBeDefined();
  // A test of tokens of another kind names the old prefix on purpose (that it does not verify).
  const found = named(/\b(mt\d+)\\?\./g).filter((f) => !f.where.startsWith("bridge-link/client-token.test"));
  expect(found.length).toBeGreaterThan(3);
  expect(unknown(found, new Set([prefix!]))).toEqual([]);
});
