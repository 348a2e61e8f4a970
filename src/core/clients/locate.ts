/** Small file-system questions client modules ask about an environment, through its access path. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Environment } from "../environments/types.js";
import { joinNative } from "../environments/types.js";

export async function existsIn(env: Environment, nativePath: string): Promise<boolean> {
  const local = env.access(nativePath);
  if (!local) return false;
  try {
    statSync(local);
    return true;
  } catch {
    return false;
  }
}

/** Names in a folder of that environment ([] when unreachable). */
export async function listIn(env: Environment, nativeDir: string): Promise<string[]> {
  const local = env.access(nativeDir);
  if (!local) return [];
  try {
    return readdirSync(local);
  } catch {
    return [];
  }
}

export function inHome(env: Environment, ...parts: string[]): string {
  return joinNative(env.kind, env.home, ...parts);
}

export async function anyExists(env: Environment, paths: string[]): Promise<boolean> {
  for (const p of paths) if (await existsIn(env, p)) return true;
  return false;
}

/**
 * Whether a CLI client is installed: one of its folders exists, or its program is on PATH (a
 * fresh install has written no folder yet, and its first run writes there).
 */
export async function installed(env: Environment, paths: string[], program: string): Promise<boolean> {
  if (await anyExists(env, paths)) return true;
  return env.findProgram !== undefined && (await env.findProgram(program)) !== undefined;
}

/** A small text file of that environment (a pointer to another folder), or undefined when unreadable. */
export async function readTextIn(env: Environment, nativePath: string): Promise<string | undefined> {
  const local = env.access(nativePath);
  if (!local) return undefined;
  try {
    return readFileSync(local, "utf8");
  } catch {
    return undefined;
  }
}
