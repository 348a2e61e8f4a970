/**
 * The catalogue's template files, in the order they apply: the shipped ones, then the home's own
 * (`<home>/templates/`, where a file of the same name overrides), each folder's by name.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../system/package-root.js";

/** A folder that cannot be read (none in the home yet) has no templates. */
export function templateFiles(
  homeDir?: string,
  builtinDir = path.join(packageRoot(), "templates"),
): string[] {
  const dirs = [builtinDir, ...(homeDir ? [path.join(homeDir, "templates")] : [])];
  return dirs.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((n) => n.endsWith(".jsonc") || n.endsWith(".json"))
        .sort()
        .map((n) => path.join(dir, n));
    } catch {
      return [];
    }
  });
}
