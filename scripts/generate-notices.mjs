// Writes THIRD-PARTY-NOTICES from the build's list of the libraries it bundled (dist/bundled.cdx.json,
// written by every `npm run build`; see scripts/bundled-libraries.mjs): each library's name, exact
// version, licence id and the licence text its package ships. `npm run notices` builds first.
// `--check`: write nothing, exit 1 when the file is not what the build gives (test/e2e/licences.test.ts
// makes the same comparison in memory).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SBOM_FILE } from "./bundled-libraries.mjs";

export const NOTICES_FILE = "THIRD-PARTY-NOTICES";
const RULE = "-".repeat(100);
// The files a package keeps its licence and notices in (LICENSE, license.md, LICENCE-MIT, COPYING, NOTICE…).
const LICENCE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;
// Where the shipped word vectors come from and under which licences.
const DATA_NOTICE = "src/core/text-search/word-vectors.NOTICE";

/** Every package folder under `root`/node_modules, nested ones too, keyed by name@version (first in sorted order). */
function installedPackages(root) {
  const found = new Map();
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules).sort()) {
      if (entry.startsWith(".")) continue;
      const dirs = entry.startsWith("@")
        ? readdirSync(path.join(modules, entry))
            .sort()
            .map((n) => path.join(modules, entry, n))
        : [path.join(modules, entry)];
      for (const dir of dirs) {
        const manifest = path.join(dir, "package.json");
        if (!existsSync(manifest)) continue;
        const { name, version } = JSON.parse(readFileSync(manifest, "utf8"));
        if (!found.has(`${name}@${version}`)) found.set(`${name}@${version}`, dir);
        visit(path.join(dir, "node_modules"));
      }
    }
  };
  visit(path.join(root, "node_modules"));
  return found;
}

/** A licence file's text: line ends made \n, trailing spaces and blank edges dropped. */
function cleanText(text) {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/^\n+|\n+$/g, "");
}

/** The build's SBOM under `root` (what `npm run build` last bundled). */
export function readSbom(root) {
  const file = path.join(root, SBOM_FILE);
  if (!existsSync(file)) throw new Error(`${SBOM_FILE} is missing: run \`npm run build\` first.`);
  return JSON.parse(readFileSync(file, "utf8"));
}

/** THIRD-PARTY-NOTICES for the libraries `sbom` lists, their licence texts read under `root`/node_modules. */
export function noticesText(root, sbom = readSbom(root)) {
  const installed = installedPackages(root);
  const { name, version } = sbom.metadata.component;
  const libraries = sbom.components.map((c) => {
    const licence = c.licenses.map((l) => l.expression ?? l.license.id).join(" AND ");
    const dir = installed.get(`${c.name}@${c.version}`);
    if (!dir) throw new Error(`${c.name}@${c.version} is bundled but not installed: run \`npm ci\`.`);
    const files = readdirSync(dir)
      .filter((f) => LICENCE_FILE.test(f))
      .sort();
    if (files.length === 0) throw new Error(`${c.name}@${c.version} ships no licence file (${dir}).`);
    const texts = files.map((f) => cleanText(readFileSync(path.join(dir, f), "utf8")));
    return { id: `${c.name}@${c.version}`, licence, texts };
  });
  const width = Math.max(...libraries.map((l) => l.id.length));
  // Installed beside the bundle, not in it (a native binary per platform): named, their licences theirs.
  const optional = Object.entries(
    JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).optionalDependencies ?? {},
  ).map(([n, v]) => `${n}@${v}`);
  return [
    `${name} ${version}: third-party notices`,
    "",
    `${name}'s own code is under the MIT licence (LICENSE). Its files under dist/ also hold code from`,
    `the ${libraries.length} libraries below: the build bundles them, so installing ${name} installs no other`,
    ...(optional.length > 0
      ? [
          `package but its optional ${optional.join(", ")}: the OS keychain's native binary, installed`,
          "beside it with its own licence files. Each library below is listed with its exact version and",
          "licence, then with the licence text its package ships.",
        ]
      : [
          "package. Each is listed with its exact version and licence, then with the licence text its package",
          "ships.",
        ]),
    `${SBOM_FILE} lists the same libraries as a CycloneDX SBOM, for vulnerability scanners.`,
    "Generated from the build by `npm run notices`.",
    "",
    ...libraries.map((l) => `  ${l.id.padEnd(width)}  ${l.licence}`),
    ...libraries.flatMap((l) => [
      "",
      RULE,
      `${l.id} (${l.licence})`,
      RULE,
      "",
      l.texts.join(`\n\n${RULE}\n\n`),
    ]),
    // Data shipped beside the code (dist/word-vectors.bin), with where it comes from and its licences.
    ...[DATA_NOTICE]
      .filter((file) => existsSync(path.join(root, file)))
      .flatMap((file) => [
        "",
        RULE,
        "dist/word-vectors.bin (Apache-2.0; its word list MIT, PDDL-1.0)",
        RULE,
        "",
        cleanText(readFileSync(path.join(root, file), "utf8")),
      ]),
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
  const file = path.join(root, NOTICES_FILE);
  const text = noticesText(root);
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (text !== before) {
      console.error(`${NOTICES_FILE} is not what the build bundles: run \`npm run notices\`.`);
      process.exitCode = 1;
    }
  } else if (text !== before) {
    writeFileSync(file, text);
    console.log(`wrote ${NOTICES_FILE}`);
  }
}
