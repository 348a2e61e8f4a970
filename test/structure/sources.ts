/** The TypeScript files under a folder, every level down: what the structure tests read. */
import { readdirSync } from "node:fs";
import path from "node:path";

export function tsSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsSources(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}
