// The libraries the build bundles into dist/, from esbuild's own account of each build (its
// metafile): every package under node_modules with at least one byte in an output file, with its
// exact version and declared licence. tsup.config.ts adds the plugin to every build; the list is
// written as a CycloneDX SBOM (dist/bundled.cdx.json) that ships, so a user can audit the bundled
// versions (docs/safety.md), and THIRD-PARTY-NOTICES is generated from it (scripts/generate-notices.mjs).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SBOM_FILE = "dist/bundled.cdx.json";

/**
 * The package folder an input path lies in (`node_modules/@scope/name` or `node_modules/name`, the
 * innermost one for a nested copy), or undefined for the project's own files.
 */
export function packageDirOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const length = parts[at + 1].startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + length).join("/");
}

/** The package folders (relative to the working folder) with bytes in any output of a metafile. */
function bundledPackageDirs(metafile) {
  const dirs = new Set();
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const dir = bytesInOutput > 0 ? packageDirOf(input) : undefined;
      if (dir) dirs.add(dir);
    }
  return dirs;
}

/** What a package folder's package.json says: name, exact version, licence id. */
function packageInfo(dir) {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const license = typeof pkg.license === "string" ? pkg.license : pkg.license?.type;
  if (!pkg.name || !pkg.version || !license)
    throw new Error(`${dir}/package.json: a bundled package must name itself, its version and its licence`);
  return { name: pkg.name, version: pkg.version, license };
}

/** A package URL (purl) for an npm package: the scope's `@` is escaped, as the spec requires. */
function purl(name, version) {
  return `pkg:npm/${name.replace(/^@/, "%40")}@${version}`;
}

/** The CycloneDX 1.5 document for the project and the packages bundled into it (stable: no timestamp). */
function sbom(project, packages) {
  const sorted = [...packages].sort((a, b) =>
    a.name === b.name
      ? a.version.localeCompare(b.version, "en", { numeric: true })
      : a.name < b.name
        ? -1
        : 1,
  );
  const licenses = (id) => [/[ ()]/.test(id) ? { expression: id } : { license: { id } }];
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    version: 1,
    metadata: {
      component: {
        type: "application",
        "bom-ref": purl(project.name, project.version),
        name: project.name,
        version: project.version,
        purl: purl(project.name, project.version),
        licenses: licenses(project.license),
      },
    },
    components: sorted.map((p) => ({
      type: "library",
      "bom-ref": purl(p.name, p.version),
      name: p.name,
      version: p.version,
      purl: purl(p.name, p.version),
      licenses: licenses(p.license),
    })),
  };
}

/**
 * For tsup (esbuild): records each build's bundled packages and writes the union after each build.
 * `root`: the folder builds run in (its package.json, node_modules and dist/).
 */
export function bundledLibrariesPlugin(root = repo) {
  // One entry per build (tsup runs them side by side in this process), keyed by its entry points.
  const byBuild = new Map();
  return {
    name: "bundled-libraries",
    setup(build) {
      build.initialOptions.metafile = true;
      const key = JSON.stringify(build.initialOptions.entryPoints);
      // The metafile's paths are relative to the folder the build runs in.
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      build.onEnd((result) => {
        if (!result.metafile) return;
        byBuild.set(
          key,
          [...bundledPackageDirs(result.metafile)].map((d) => path.resolve(cwd, d)),
        );
        const dirs = new Set([...byBuild.values()].flat());
        const unique = new Map();
        for (const dir of dirs) {
          const info = packageInfo(dir);
          unique.set(`${info.name}@${info.version}`, info);
        }
        const project = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
        mkdirSync(path.join(root, "dist"), { recursive: true });
        writeFileSync(
          path.join(root, SBOM_FILE),
          `${JSON.stringify(sbom(project, unique.values()), null, 2)}\n`,
        );
      });
    },
  };
}
