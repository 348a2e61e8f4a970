/**
 * The files search reads beside its code (the word vectors, the examples) are found by every built
 * bundle that reads them: the CLI's chunks in dist/ and the bridge's own in dist/serve/, each by the
 * URLs it was built with, from where it lies.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const SHIPPED = ["word-vectors.bin", "tool-examples.json"];

const scripts = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? scripts(full) : e.name.endsWith(".js") ? [full] : [];
  });

test("each built script that reads a shipped file finds it from where it lies (dist/ and dist/serve/)", () => {
  expect(existsSync(path.join(DIST, "cli.js")), "dist/ is built (npm run build)").toBe(true);
  const readers = new Map<string, string[]>();
  for (const script of scripts(DIST)) {
    const text = readFileSync(script, "utf8");
    for (const name of SHIPPED) {
      const urls = [...text.matchAll(/new URL\("([^"]+)",\s*import\.meta\.url\)/g)]
        .map((m) => m[1] ?? "")
        .filter((u) => u.endsWith(`/${name}`) || u === name);
      if (urls.length === 0) continue;
      readers.set(name, [...(readers.get(name) ?? []), path.relative(DIST, script)]);
      const found = urls.some((u) => existsSync(fileURLToPath(new URL(u, pathToFileURL(script)))));
      expect(found, `${path.relative(DIST, script)} looks for ${name} at ${urls.join(", ")}`).toBe(true);
    }
  }
  // The bridge's bundle (dist/serve/) and the CLI's both read each file.
  for (const name of SHIPPED) {
    expect(
      readers.get(name)?.some((s) => s.startsWith(`serve${path.sep}`)),
      `${name} in dist/serve`,
    ).toBe(true);
    expect(
      readers.get(name)?.some((s) => !s.includes(path.sep)),
      `${name} in dist/`,
    ).toBe(true);
  }
});
