/** Small file-system questions client modules ask about an environment, through its access path. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";

export async function existsIn(env: Environment, nativePath: string): Promise<boolean> {
  const local = env.access(nativePath);
  if (!local) return false;
  try {
    return statSync(local, { throwIfNoEntry: false }) !== undefined;
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
