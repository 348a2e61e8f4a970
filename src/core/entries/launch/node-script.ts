/**
 * `node <script>` (pure): which argument is the script (doctor checks it exists), and, where the
 * script lies inside an installed package, that package, its version and which of its bins the script
 * is.
 */

import { joinAbsolute, splitAbsolute } from "../../environments/launch-paths.js";
import { isNodeProgram } from "../../environments/program.js";
import { pickBin } from "../../packages/npm-prefix.js";

/** The script a node command runs (its first argument that is not an option). */
export function nodeScript(command: string, args: readonly string[]): string | undefined {
  if (!isNodeProgram(command)) return undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "-r" || a === "--require" || a === "--import" || a === "--loader") {
      i++;
      continue;
    }
    if (a === "-e" || a === "--eval" || a === "-p" || a === "--print") return undefined;
    if (a.startsWith("-")) continue;
    return a;
  }
  return undefined;
}

export interface PackageJson {
  name?: string;
  version?: string;
  bin?: string | Record<string, string>;
  main?: string;
  private?: boolean;
}

/**
 * What import can read of the files a script names (where the entry runs): a folder's
 * package.json, and whether a path is there (undefined: it cannot tell from here).
 */
export interface ScriptFiles {
  readPackageJson(dir: string): PackageJson | undefined;
  exists?(path: string): boolean | undefined;
}

export type ScriptResult =
  | { name: string; version?: string; bin?: string; args: string[]; notes: string[] }
  | { problem?: string };

const VALID_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * An installed package's script: `<prefix>/lib/node_modules/pkg/dist/index.js`,
 * `C:\…\npm\node_modules\@scope\pkg\…` (import; its files come in through callbacks). A script
 * outside any node_modules folder is a local checkout: it stays a command, because installing "the
 * npm package of the same name" could run somebody else's code (outsideNote says what it is).
 */
export function installedScript(args: readonly string[], files: ScriptFiles): ScriptResult {
  const { readPackageJson } = files;
  const script = args[0];
  if (script === undefined) return { problem: "node without a script" };
  if (script.startsWith("-")) return { problem: `node option ${script} before the script` };
  const split = splitAbsolute(script);
  if (!split) return { problem: `the script ${script} is not an absolute path` };
  const { style, parts } = split;
  const same = (a: string, b: string) =>
    style === "windows" ? a.toLowerCase() === b.toLowerCase() : a === b;
  let at = -1;
  for (let i = parts.length - 1; i >= 0; i--)
    if (same(parts[i] ?? "", "node_modules")) {
      at = i;
      break;
    }
  if (at === -1) return { problem: outsideNote(script, style, parts, files) };
  const scoped = parts[at + 1]?.startsWith("@");
  const nameParts = parts.slice(at + 1, at + (scoped ? 3 : 2));
  const rel = parts.slice(at + (scoped ? 3 : 2));
  if (nameParts.length !== (scoped ? 2 : 1) || rel.length === 0)
    return { problem: `the script ${script} is not a file inside a package` };
  const dir = joinAbsolute(style, parts.slice(0, at + nameParts.length + 1));
  const pathName = nameParts.join("/");
  const pkg = readPackageJson(dir);
  const name = pkg?.name && VALID_NAME.test(pkg.name) ? pkg.name : pathName;
  if (!VALID_NAME.test(name)) return { problem: `"${name}" is not an npm package name` };
  const rest = args.slice(1);
  if (!pkg) {
    return {
      name,
      args: rest,
      notes: [
        `could not read ${dir}${style === "windows" ? "\\" : "/"}package.json: took ${rel.join("/")} to be its bin`,
      ],
    };
  }
  const bins = binMap(name, pkg.bin);
  const relText = rel.join("/");
  const bin = binOf(bins, relText, style);
  if (bin === undefined)
    return {
      problem: `runs ${relText} of ${name}, which is not one of its bins (${Object.keys(bins).join(", ") || "none"})`,
    };
  const byDefault = pickBin({ name, bins }) === bins[bin];
  return {
    name,
    ...(pkg.version ? { version: pkg.version } : {}),
    ...(byDefault ? {} : { bin }),
    args: rest,
    notes: [],
  };
}

function binMap(name: string, bin: PackageJson["bin"]): Record<string, string> {
  if (typeof bin === "string") return { [name.split("/").pop() ?? name]: bin };
  if (!bin || typeof bin !== "object") return {};
  return Object.fromEntries(Object.entries(bin).filter(([, v]) => typeof v === "string"));
}

/** A path inside a package as its package.json writes one: `/`, no leading `./`; Windows ignores case. */
function samePath(a: string, b: string, style: "windows" | "posix"): boolean {
  const norm = (p: string) => {
    const s = p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+/g, "/");
    return style === "windows" ? s.toLowerCase() : s;
  };
  return norm(a) === norm(b);
}

/** Which of a package's bins is this script (its path inside the package), if any. */
function binOf(bins: Record<string, string>, rel: string, style: "windows" | "posix"): string | undefined {
  return Object.entries(bins).find(([, script]) => samePath(script, rel, style))?.[0];
}

/**
 * What a script outside any node_modules folder is, as far as it is known: one that is not there
 * is said to be missing; one that is there is named as a package's only when the nearest
 * package.json above it is that package's and the script is its bin or its main — not a project it
 * merely sits in, nor a folder further up. Nothing is said of npm: a local copy and the npm package
 * of the same name can be different code, and import does not ask the registry.
 */
function outsideNote(
  script: string,
  style: "windows" | "posix",
  parts: readonly string[],
  files: ScriptFiles,
): string {
  const plain = "runs a script outside any installed package";
  const there = files.exists?.(script);
  if (there === false) return `runs ${script}, which does not exist`;
  if (there !== true) return plain;
  const owner = nearestPackage(style, parts, files.readPackageJson);
  const name = owner?.pkg.name;
  if (!owner || !name || !VALID_NAME.test(name)) return plain;
  const rel = parts.slice(owner.depth).join("/");
  const bin = binOf(binMap(name, owner.pkg.bin), rel, style);
  const main = owner.pkg.main;
  const isMain =
    typeof main === "string" && (samePath(main, rel, style) || samePath(`${main}.js`, rel, style));
  if (bin === undefined && !isMain) return plain;
  const what = bin !== undefined ? `the ${bin} bin` : "the main script";
  const version = owner.pkg.version ? ` ${owner.pkg.version}` : "";
  return `${plain}: ${what} of ${name}${version}, from its folder ${joinAbsolute(style, parts.slice(0, owner.depth))}`;
}

/** The nearest package.json above a script (its folder and three above), and how deep its folder is. */
function nearestPackage(
  style: "windows" | "posix",
  parts: readonly string[],
  read: (dir: string) => PackageJson | undefined,
): { pkg: PackageJson; depth: number } | undefined {
  for (let n = parts.length - 1; n >= Math.max(1, parts.length - 4); n--) {
    const found = read(joinAbsolute(style, parts.slice(0, n)));
    if (found) return { pkg: found, depth: n };
  }
  return undefined;
}
