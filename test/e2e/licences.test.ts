/**
 * The package's licences: LICENSE for mcp-twin, and THIRD-PARTY-NOTICES for every library the build
 * bundles into dist/ — made from the build's own list (dist/bundled.cdx.json, from esbuild's
 * metafiles), so that it goes stale, and this fails, as soon as a bundled library or its version
 * changes. A real esbuild build of a small project shows the list follows the build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, expect, test } from "vitest";
import { bundledLibrariesPlugin, packageDirOf } from "../../scripts/bundled-libraries.mjs";
import { NOTICES_FILE, noticesText, readSbom } from "../../scripts/generate-notices.mjs";
import { REPO } from "../helpers/fake-machine.js";
import { importedPackages } from "../helpers/src-imports.js";

const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));

test("LICENSE is the MIT licence package.json names, for mcp-twin's contributors", () => {
  expect(pkg.license).toBe("MIT");
  const text = readFileSync(path.join(REPO, "LICENSE"), "utf8");
  expect(text).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} mcp-twin contributors\n/);
  expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
});

test("THIRD-PARTY-NOTICES is what the build bundles (`npm run notices` writes it)", () => {
  const committed = readFileSync(path.join(REPO, NOTICES_FILE), "utf8");
  expect(noticesText(REPO), `${NOTICES_FILE} is stale: run \`npm run notices\``).toBe(committed);
});

test("the build's list holds every library src/ imports, each at the version the lockfile pins", () => {
  const sbom = readSbom(REPO);
  expect(sbom.metadata.component).toMatchObject({
    name: "mcp-twin",
    version: pkg.version,
    licenses: [{ license: { id: "MIT" } }],
  });
  const names = new Set(sbom.components.map((c) => c.name));
  const imported = importedPackages();
  expect(imported).toContain("@modelcontextprotocol/client");
  expect(imported).not.toContain("@modelcontextprotocol/sdk");
  expect(imported.filter((name) => !names.has(name))).toEqual([]);
  // What the libraries use in turn is bundled too, and listed.
  expect(sbom.components.length).toBeGreaterThan(imported.length);
  const lock = Object.entries(
    JSON.parse(readFileSync(path.join(REPO, "package-lock.json"), "utf8")).packages as Record<
      string,
      { version?: string }
    >,
  );
  const unpinned = sbom.components.filter(
    (c) =>
      !lock.some(([where, entry]) => where.endsWith(`node_modules/${c.name}`) && entry.version === c.version),
  );
  expect(unpinned).toEqual([]);
  for (const c of sbom.components) expect(c.purl).toBe(`pkg:npm/${c.name.replace(/^@/, "%40")}@${c.version}`);
});

test("a package folder is found in an input path: scoped, nested, or none", () => {
  expect(packageDirOf("node_modules/zod/v4/core/core.js")).toBe("node_modules/zod");
  expect(packageDirOf("node_modules/@inquirer/core/dist/index.js")).toBe("node_modules/@inquirer/core");
  expect(packageDirOf("node_modules/a/node_modules/@s/b/x.js")).toBe("node_modules/a/node_modules/@s/b");
  expect(packageDirOf("src/cli.ts")).toBeUndefined();
});

const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-licences-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A package in the project's node_modules (or nested under another's). */
function writePackage(where: string, name: string, version: string, files: Record<string, string>) {
  const folder = path.join(dir, where, "node_modules", name);
  mkdirSync(folder, { recursive: true });
  const manifest = { name, version, license: "MIT", type: "module", main: "index.js", sideEffects: false };
  writeFileSync(path.join(folder, "package.json"), JSON.stringify(manifest));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(folder, file), text);
}

async function bundle(): Promise<void> {
  await build({
    absWorkingDir: dir,
    entryPoints: ["entry.js"],
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: "dist/out",
    logLevel: "silent",
    plugins: [bundledLibrariesPlugin(dir)],
  });
}

test("the list follows the build: only code that is bundled, nested copies at their own version; a new version makes the notices stale", async () => {
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "app", version: "2.0.0", license: "MIT" }),
  );
  writeFileSync(
    path.join(dir, "entry.js"),
    'import { a } from "lib-a";\nimport { b } from "lib-b";\nconsole.log(a);\n',
  );
  // lib-a uses its own copy of lib-c; lib-b is imported but none of it is used (tree-shaken away).
  writePackage("", "lib-a", "1.0.0", {
    "index.js": 'import { c } from "lib-c";\nexport const a = c + 1;\n',
    LICENSE: "lib-a's licence text\r\n",
  });
  writePackage("node_modules/lib-a", "lib-c", "3.1.0", {
    "index.js": "export const c = 41;\n",
    "LICENSE.md": "lib-c's",
  });
  writePackage("", "lib-b", "1.0.0", { "index.js": "export const b = 2;\n", LICENSE: "lib-b's" });

  await bundle();
  const sbom = readSbom(dir);
  expect(sbom.metadata.component).toMatchObject({ name: "app", version: "2.0.0" });
  expect(sbom.components.map((c) => `${c.name}@${c.version}`)).toEqual(["lib-a@1.0.0", "lib-c@3.1.0"]);
  const before = noticesText(dir);
  expect(before).toContain("  lib-a@1.0.0  MIT\n  lib-c@3.1.0  MIT\n");
  expect(before).toContain("lib-a@1.0.0 (MIT)\n");
  expect(before).toContain("\nlib-a's licence text\n");
  expect(before).not.toContain("lib-b");

  // The same library, one version on: the committed notices would no longer match.
  writePackage("", "lib-a", "1.0.1", {});
  await bundle();
  const after = noticesText(dir);
  expect(after).not.toBe(before);
  expect(after).toContain("  lib-a@1.0.1  MIT\n");
  expect(after).not.toContain("lib-a@1.0.0");

  // A bundled library without a licence file is an error, not a silent gap.
  rmSync(path.join(dir, "node_modules", "lib-a", "LICENSE"));
  expect(() => noticesText(dir)).toThrow(/lib-a@1\.0\.1 ships no licence file/);
});
