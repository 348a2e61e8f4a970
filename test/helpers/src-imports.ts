/**
 * The packages src/ imports at run time (import and export statements, import() calls; `import
 * type` left out, as it bundles nothing): what the build bundles directly.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { REPO } from "./fake-machine.js";

export function importedPackages(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith(".ts"))
        // Statements and import() calls only (prose may say `from "clients"`).
        for (const m of readFileSync(file, "utf8").matchAll(
          /^\s*(?:import|export)\b(?!\s+type\b)[^;]*?\bfrom "([^".][^"]*)"|\bimport\("([^".][^"]*)"\)/gm,
        )) {
          const spec = (m[1] ?? m[2])!;
          if (spec.startsWith("node:")) continue;
          found.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
        }
    }
  };
  walk(path.join(REPO, "src"));
  return [...found].sort();
}
