/**
 * Package runners (pure): `npx`, `bunx` / `bun x`, `pnpm dlx` / `pnpx`, `yarn dlx`, `npm exec` / `npm
 * x`, and Python's `uvx`, each fetching a package when the server starts.
 */

import { programName } from "../../environments/program.js";
import { splitSpec } from "../../manifest/package-spec.js";

/** `program` (see programName) with its arguments as a runner: how it is called, what follows. */
function runnerOf(program: string, args: readonly string[]): { via: string; rest: string[] } | undefined {
  if (program === "npx" || program === "bunx" || program === "pnpx" || program === "uvx")
    return { via: program, rest: [...args] };
  if (program === "bun" && args[0] === "x") return { via: "bun x", rest: args.slice(1) };
  if ((program === "pnpm" || program === "yarn") && args[0] === "dlx")
    return { via: `${program} dlx`, rest: args.slice(1) };
  if (program === "npm" && (args[0] === "exec" || args[0] === "x"))
    return { via: "npm exec", rest: args.slice(1) };
  return undefined;
}

/** The runner that fetches the package on start (`npx`, `uvx`, `pnpm dlx`, …), if the command is one. */
export function downloadsOnStart(command: string, args: readonly string[]): string | undefined {
  return runnerOf(programName(command), args)?.via;
}

export type RunnerResult =
  | { spec: string; name: string; range: string; bin?: string; args: string[]; via: string; notes: string[] }
  | { problem: string }
  | undefined;

/** Same rule as the manifest schema's `package` field. */
const NPM_SPEC = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(@[A-Za-z0-9.^~<>=|*+ _-]+)?$/;

/** Options that only change how the runner fetches (not what runs). */
const QUIET_FLAGS = new Set([
  "-y",
  "--yes",
  "--no",
  "-q",
  "--quiet",
  "-s",
  "--silent",
  "--verbose",
  "--bun",
  "--prefer-offline",
  "--prefer-online",
  "--offline",
  "--ignore-existing",
  "--no-install",
  "--legacy-peer-deps",
  "--no-update-notifier",
  "--no-fund",
  "--no-audit",
]);
const VALUE_FLAGS = new Set(["--registry", "--cache", "--loglevel", "--userconfig", "--allow-build"]);

/**
 * An npm runner's package, bin and arguments. `program` is the name without extension (see programName).
 *
 * Each fetches a package when the server starts and runs one of its programs; for the npm ones the
 * manifest says the same thing with `package` (+ `bin`) and sync installs it once instead.
 */
export function parseRunner(program: string, args: readonly string[]): RunnerResult {
  const runner = runnerOf(program, args);
  // uvx runs a Python package: not something npm installs.
  if (!runner || runner.via === "uvx") return undefined;
  const { via, rest } = runner;

  const packages: string[] = [];
  const notes: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const a = rest[i] ?? "";
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-")) break;
    const [flag, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    if (flag === "-p" || flag === "--package") {
      const value = inline ?? rest[++i];
      if (value === undefined) return { problem: `${via} ${flag} without a package` };
      packages.push(value);
    } else if (QUIET_FLAGS.has(flag) && inline === undefined) {
      // fetch behaviour only
    } else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? rest[++i];
      if (flag === "--registry")
        notes.push(`it used the registry ${value}; sync installs from your npm configuration's registry`);
    } else if (flag === "-c" || flag === "--call" || flag === "--shell-mode") {
      return { problem: `${via} ${flag} runs a shell command line, which mcp-twin does not take apart` };
    } else {
      return { problem: `${via} option ${a} is not one mcp-twin understands` };
    }
  }
  const command = rest[i];
  if (command === undefined) return { problem: `${via} with nothing to run` };
  let after = rest.slice(i + 1);
  if (via === "npm exec" && after[0] === "--") after = after.slice(1);
  if (packages.length > 1) return { problem: `${via} with several packages (${packages.join(", ")})` };
  const spec = packages[0] ?? command;
  if (!NPM_SPEC.test(spec)) return { problem: `"${spec}" is not an npm package name` };
  const { name, range } = splitSpec(spec);
  const base = name.split("/").pop() ?? name;
  const bin = packages.length === 1 && command !== base ? command : undefined;
  if (bin !== undefined && !/^[A-Za-z0-9@._/-]+$/.test(bin)) return { problem: `"${bin}" is not a bin name` };
  return {
    spec,
    name,
    range: range === "latest" ? "" : range,
    ...(bin ? { bin } : {}),
    args: after,
    via,
    notes,
  };
}

/** uvx options that take a value (the next argument, or `=value`). */
const UVX_VALUE_FLAGS = new Set([
  "--from",
  "--with",
  "--with-editable",
  "--with-requirements",
  "--python",
  "-p",
  "--index",
  "--index-url",
  "-i",
  "--default-index",
  "--extra-index-url",
  "--find-links",
  "-f",
  "--cache-dir",
  "--directory",
  "--project",
  "--config-file",
  "--constraints",
  "-c",
  "--overrides",
  "--build-constraints",
  "-b",
  "--env-file",
  "--python-platform",
]);

/**
 * What `uvx [options] <command>` runs: the package it fetches (`--from`, else the command) in the
 * form `uv tool install` takes (`pkg==1.2.3` for uvx's `pkg@1.2.3`), and the program it starts.
 * Undefined when the arguments name no command.
 */
export function uvxTool(args: readonly string[]): { install: string; program: string } | undefined {
  let from: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--") return tool(args[i + 1], from);
    if (!a.startsWith("-")) return tool(a, from);
    const eq = a.indexOf("=");
    const flag = eq === -1 ? a : a.slice(0, eq);
    if (!UVX_VALUE_FLAGS.has(flag)) continue;
    const value = eq === -1 ? args[++i] : a.slice(eq + 1);
    if (flag === "--from") from = value;
  }
  return undefined;
}

function tool(command: string | undefined, from: string | undefined) {
  if (command === undefined) return undefined;
  const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)@(.+)$/.exec(command);
  const name = at?.[1];
  const program = name ?? command;
  const pkg = from ?? (at && name ? (at[2] === "latest" ? name : `${name}==${at[2]}`) : command);
  return { install: pkg, program };
}
