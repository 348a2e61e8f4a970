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
  private?: boolean;
}

export type ScriptResult =
  | { name: string; version?: string; bin?: string; args: string[]; notes: string[] }
  | { problem?: string };

const VALID_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * An installed package's script: `<prefix>/lib/node_modules/pkg/dist/index.js`,
 * `C:\…\npm\node_modules\@scope\pkg\…` (import; package.json comes in through a callback). A script
 * outside any node_modules folder is a local checkout: it stays a command, because installing "the
 * npm package of the same name" could run somebody else's code.
 */
export function installedScript(
  args: readonly string[],
  readPackageJson: (dir: string) => PackageJson | undefined,
): ScriptResult {
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
  if (at === -1) {
    const pkg = findPackageUp(style, parts, readPackageJson);
    const hint = pkg?.name
      ? ` (its package.json names ${pkg.name}; \`mcp-twin add ${pkg.name}\` installs it from npm)`
      : "";
    return { problem: `runs a script outside any installed package${hint}` };
  }
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
  const norm = (p: string) => {
    const s = p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+/g, "/");
    return style === "windows" ? s.toLowerCase() : s;
  };
  const bin = Object.entries(bins).find(([, script]) => norm(script) === norm(relText))?.[0];
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

function findPackageUp(
  style: "windows" | "posix",
  parts: readonly string[],
  read: (dir: string) => PackageJson | undefined,
): PackageJson | undefined {
  for (let n = parts.length - 1; n >= Math.max(1, parts.length - 4); n--) {
    const found = read(joinAbsolute(style, parts.slice(0, n)));
    if (found) return found;
  }
  return undefined;
}
