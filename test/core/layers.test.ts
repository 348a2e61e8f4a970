/**
 * Rules the README states about the source tree, checked on the sources themselves (every static
 * and dynamic import of every file under src/):
 * - the bridge server (src/bridge/) never reaches the command line (src/cli.ts, src/commands/);
 * - src/core/ never reaches the command line either;
 * - only src/core/run.ts starts processes (node:child_process, execa, the SDK's stdio client
 *   transport, which spawns on its own).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Every module specifier a file imports (static, dynamic, re-exports, type-only). */
function importsOf(text: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.add(m[1]!);
  return [...found];
}

/** A relative specifier as a path under src/ ("commands/serve.ts"); bare ones as they are. */
function target(file: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  return path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ".ts");
}

const files = sources(SRC).map((file) => ({
  file,
  rel: path.relative(SRC, file).split(path.sep).join("/"),
  imports: importsOf(readFileSync(file, "utf8")).map((s) => target(file, s).split(path.sep).join("/")),
}));

const commandLine = (t: string) => t === "cli.ts" || t.startsWith("commands/");
const startsProcesses = (t: string) =>
  t === "node:child_process" ||
  t === "child_process" ||
  t === "execa" ||
  t === "cross-spawn" ||
  t === "@modelcontextprotocol/sdk/client/stdio.js";

describe("layers", () => {
  test("the scanner sees imports (it can fail)", () => {
    expect(
      importsOf('import a from "./x.js";\nconst b = await import("../y.js");\nexport { c } from "z";'),
    ).toEqual(["./x.js", "z", "../y.js"]);
    expect(files.find((f) => f.rel === "commands/serve.ts")?.imports.some((t) => t.startsWith("core/"))).toBe(
      true,
    );
  });

  test.each([
    ["bridge/", "the bridge server"],
    ["core/", "core"],
  ])("nothing in src/%s imports cli.ts or commands/ (%s)", (dir) => {
    const offenders = files
      .filter((f) => f.rel.startsWith(dir))
      .flatMap((f) => f.imports.filter(commandLine).map((t) => `${f.rel} → ${t}`));
    expect(offenders).toEqual([]);
  });

  test("only core/run.ts starts processes", () => {
    const offenders = files
      .filter((f) => f.rel !== "core/run.ts")
      .flatMap((f) => f.imports.filter(startsProcesses).map((t) => `${f.rel} → ${t}`));
    expect(offenders).toEqual([]);
  });
});
