/**
 * Paths in an environment's own syntax (backslashes on Windows, slashes elsewhere), wherever this
 * process runs: joined parts, and where an npm prefix keeps its global packages.
 */
import type { EnvFacts, EnvKind } from "./types.js";

/** Where packages of a global prefix live, and where a package's folder is. */
export function globalModulesDir(env: Pick<EnvFacts, "kind" | "npm">): string | undefined {
  if (!env.npm) return undefined;
  return env.kind === "windows"
    ? `${env.npm.prefix.replace(/[\\/]+$/, "")}\\node_modules`
    : `${env.npm.prefix.replace(/\/+$/, "")}/lib/node_modules`;
}

/** `parts` joined with the environment's separator, each one's own separators at its ends dropped. */
export function joinNative(kind: EnvKind, ...parts: string[]): string {
  const sep = kind === "windows" ? "\\" : "/";
  return parts
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, "") : p.replace(/^[\\/]+|[\\/]+$/g, "")))
    .filter((p) => p.length > 0)
    .join(sep)
    .replace(kind === "windows" ? /\//g : /\\/g, sep);
}
