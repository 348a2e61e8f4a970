/**
 * A module hook that logs each file a process loads (`<pid> <url>`): what the built bundles cost a
 * process at start, read from what it really loaded.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ModuleLog {
  /** For every process started with it: the hook in NODE_OPTIONS, and where it logs. */
  env: { NODE_OPTIONS: string; LOADED_LOG: string };
  /** For one process: the hook on its command line (before the script), and where it logs. */
  args: string[];
  /** The files of dist/ one process (or any) has loaded so far. */
  files(pid?: number): string[];
}

/** The hook's files and its log, in `dir`. */
export function moduleLog(dir: string): ModuleLog {
  writeFileSync(
    path.join(dir, "hooks.mjs"),
    'import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { if (url.startsWith("file:")) appendFileSync(process.env.LOADED_LOG, `${process.pid} ${url}\\n`); return next(url, context); }\n',
  );
  const register = path.join(dir, "register.mjs");
  writeFileSync(
    register,
    'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n',
  );
  const log = path.join(dir, "loaded.log");
  writeFileSync(log, "");
  return {
    env: { NODE_OPTIONS: `--import ${register}`, LOADED_LOG: log },
    args: ["--import", register],
    files: (pid) => [
      ...new Set(
        readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l.includes("/dist/") && (pid === undefined || l.startsWith(`${pid} `)))
          .map((l) => new URL(l.slice(l.indexOf(" ") + 1)).pathname),
      ),
    ],
  };
}
