/**
 * Entry lint, the spawn side (pure): can the client start the command the way it starts servers,
 * does the program (and its script) exist where it runs, and do a wsl.exe entry's variables reach
 * Linux.
 */
import semver from "semver";
import { clientModule } from "../../clients/index.js";
import { isAbsoluteAny } from "../../environments/launch-paths.js";
import {
  baseName,
  isBatchFile,
  isNodeProgram,
  programName,
  underVersionManager,
} from "../../environments/program.js";
import { installAdvice } from "../../environments/program-hints.js";
import type { EnvKind } from "../../environments/types.js";
import type { EntryFacts } from "../facts.js";
import { SYNC_FIX } from "../finding-words.js";
import type { Show } from "../path-style.js";
import { type Finding, finding, type Where } from "../types.js";

/** Can the client spawn this command the way it spawns (no shell on Windows)? */
export function spawnCheck(f: EntryFacts, where: Where, command: string, show: Show): Finding {
  const base = baseName(command);
  const found = f.resolved?.command.found;
  const manual =
    'Run the package with node.exe and its script, or wrap it: "command": "cmd", "args": ["/c", "npx", …].';
  // sync writes node.exe + the script for a manifest package; a manifest command is written as is.
  const fix = f.managedPackage
    ? SYNC_FIX
    : f.managed
      ? `${manual} (in the manifest, then \`mcp-twin sync\`)`
      : manual;
  if (f.envKind === "windows") {
    const bare = !/[\\/]/.test(command) && !/\.[a-z0-9]+$/i.test(command);
    const batch = isBatchFile(command) || (bare && found !== undefined && isBatchFile(found));
    if (!batch)
      return finding("pass", where, `${f.clientName} starts \`${command}\` directly (no shell needed).`);
    const why = isBatchFile(command)
      ? `\`${base}\` is a batch file: Node refuses to spawn .cmd/.bat without a shell since 18.20.2/20.12.2 (EINVAL)`
      : `\`${command}\` is ${found ? baseName(found) : `${command}.cmd`}, a batch file: spawned without a shell it is not found (ENOENT)`;
    const starts = clientModule(f.client).windowsBatch;
    if (typeof starts === "object") {
      const fixed = starts.since;
      if (f.desktop?.msix || (f.desktop?.version && semver.gte(f.desktop.version, fixed)))
        return finding(
          "pass",
          where,
          `${f.clientName} ${f.desktop.msix ? "(Store build)" : f.desktop.version} starts npx/.cmd commands itself (fixed in ${fixed}).`,
        );
      if (f.desktop?.version)
        return finding(
          "fail",
          where,
          `${why}; ${f.clientName} ${f.desktop.version} predates the fix in ${fixed}.`,
          {
            fix: `Update ${f.clientName}, or: ${fix}`,
          },
        );
      return finding(
        "warn",
        where,
        `${why}; ${f.clientName} copes since ${fixed}, but its version could not be told.`,
        { fix },
      );
    }
    if (starts === "no-shell")
      return finding(
        "fail",
        where,
        `${why}. ${f.clientName} on native Windows starts servers without a shell, so it fails here ("Connection closed"), even though a probe through the SDK (which wraps .cmd in cmd.exe) works.`,
        { fix },
      );
    return finding("warn", where, `${why}; ${f.clientName} may not wrap it in a shell.`, {
      fix,
    });
  }
  if (f.envKind === "wsl" && found && f.mountRoot && found.startsWith(f.mountRoot) && !/\.exe$/i.test(found))
    return finding(
      "fail",
      where,
      `\`${command}\` resolves to ${show.path(found)}, a Windows script on the appended Windows PATH: it fails inside WSL (CRLF, "node: not found").`,
      {
        fix: f.managedPackage
          ? SYNC_FIX
          : `${installAdvice("node", { id: f.env, kind: "wsl" })} Then use its absolute paths.`,
      },
    );
  if (isBatchFile(command))
    return finding("fail", where, `\`${base}\` is a Windows batch file; ${f.env} cannot run it.`, { fix });
  // A Windows program on the drive (node.exe through interop): named as Windows names it, as every
  // other file on the drive is in the report.
  const shown = show.path(command);
  if (shown !== command)
    return finding("pass", where, `${f.clientName} starts ${shown} directly, through WSL interop.`);
  return finding("pass", where, `${f.clientName} starts \`${command}\` directly.`);
}

/** The environment kind of an environment id (`wsl:Ubuntu` is WSL). */
function kindOf(id: string, fallback: EnvKind): EnvKind {
  if (id.startsWith("wsl")) return "wsl";
  return id === "windows" || id === "linux" || id === "macos" ? id : fallback;
}

/** The program that is not there (the command, or the program wsl.exe starts), if one is not. */
export function missingProgram(f: EntryFacts): { path: string; env: string } | undefined {
  const r = f.resolved;
  if (!r) return undefined;
  return r.command.exists === false ? r.command : r.inner?.exists === false ? r.inner : undefined;
}

/** What to do about a program that is not there: sync installs npm packages, never programs. */
function missingProgramFix(f: EntryFacts, missing: { path: string; env: string }): string {
  if (isAbsoluteAny(missing.path) && !isNodeProgram(missing.path) && !f.managed)
    return `Install ${programName(missing.path)} there, or point "command" at where it is now.`;
  const advice = installAdvice(missing.path, { id: missing.env, kind: kindOf(missing.env, f.envKind) });
  return f.managed && !f.managedPackage
    ? `${advice} (Or change the server's command in the manifest, then \`mcp-twin sync\`.)`
    : advice;
}

/** An absolute node path that no longer exists (an nvm or Node upgrade removed it). */
export function nodePath(f: EntryFacts, where: Where, show: Show): Finding[] {
  const missing = missingProgram(f);
  if (!missing || !isAbsoluteAny(missing.path) || !isNodeProgram(missing.path)) return [];
  const version = /[\\/]v?(\d+\.\d+\.\d+)[\\/]/.exec(missing.path)?.[1];
  return [
    finding(
      "fail",
      where,
      `node at ${show.path(missing.path)} no longer exists${version || underVersionManager(missing.path) ? ` (Node ${version ? `v${version} ` : ""}was removed by an nvm or Node upgrade)` : ""}.`,
      {
        // sync writes the environment's current node: only when it has one. The path is one to
        // write into the entry, so in the form its environment reads.
        fix:
          f.managed && f.envNode
            ? SYNC_FIX
            : f.envNode
              ? `Point "command" at the current node (${f.envNode}).`
              : missingProgramFix(f, { path: "node", env: missing.env }),
      },
    ),
  ];
}

/** Does the command (or wsl.exe's program) exist? */
export function command(f: EntryFacts, where: Where, program: string, show: Show): Finding[] {
  const r = f.resolved;
  if (!r) return [];
  const missing = missingProgram(f);
  if (missing) {
    if (isAbsoluteAny(missing.path) && isNodeProgram(missing.path)) return [];
    return [
      finding(
        "fail",
        where,
        `\`${show.path(missing.path)}\` is not found in ${missing.env}${isAbsoluteAny(missing.path) ? "" : " (not on its PATH)"}.`,
        { fix: missingProgramFix(f, missing) },
      ),
    ];
  }
  if (r.command.exists === undefined || (r.inner && r.inner.exists === undefined && !isAbsoluteAny(program)))
    return [
      finding(
        "skip",
        where,
        `cannot tell from here whether \`${show.path(r.inner?.path ?? r.command.path)}\` exists in ${r.inner?.env ?? r.command.env}.`,
      ),
    ];
  return [
    finding(
      "pass",
      where,
      `\`${show.path(r.inner?.found ?? r.command.found ?? r.command.path)}\` exists in ${r.inner?.env ?? r.command.env}.`,
    ),
  ];
}

/** Does the script the command runs exist? */
export function script(f: EntryFacts, where: Where, show: Show): Finding[] {
  const r = f.resolved;
  if (r?.script?.exists === false)
    return [
      finding(
        "fail",
        where,
        `the script ${show.path(r.script.path)} does not exist in ${r.script.env} (package removed or moved).`,
        {
          fix: f.managedPackage
            ? SYNC_FIX
            : "Reinstall the package (npm install -g …) and point the entry at its script.",
        },
      ),
    ];
  if (r?.script?.exists) return [finding("pass", where, `script ${show.path(r.script.path)} exists.`)];
  return [];
}

export function wslenv(f: EntryFacts, where: Where): Finding {
  const names = Object.keys(f.view.env).filter((n) => n !== "WSLENV");
  const listed = new Map(
    (f.view.env.WSLENV ?? "")
      .split(":")
      .filter(Boolean)
      .map((spec) => {
        const [name = "", flags = ""] = spec.split("/");
        return [name, flags] as const;
      }),
  );
  const lost = names.filter((n) => {
    const flags = listed.get(n);
    return flags === undefined || (flags.includes("w") && !flags.includes("u"));
  });
  if (lost.length === 0)
    return finding(
      "pass",
      where,
      names.length > 0 ? `WSLENV passes ${names.join(", ")} into Linux.` : "no variables to pass into Linux.",
    );
  return finding(
    "fail",
    where,
    `${lost.join(", ")} ${lost.length > 1 ? "are" : "is"} set on wsl.exe but not listed in WSLENV, so the Linux server never sees ${lost.length > 1 ? "them" : "it"}.`,
    {
      fix: f.managed
        ? SYNC_FIX
        : `Add "WSLENV": "${lost.map((n) => `${n}/u`).join(":")}" to the entry's env.`,
    },
  );
}
