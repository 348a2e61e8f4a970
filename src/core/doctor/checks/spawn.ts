/**
 * Entry lint, the spawn side (pure): can the client start the command the way it starts servers,
 * does the program (and its script) exist where it runs, and do a wsl.exe entry's variables reach
 * Linux.
 */
import semver from "semver";
import { isAbsoluteAny } from "../../launch/paths.js";
import {
  baseName,
  isBatchFile,
  isNodeProgram,
  programName,
  underVersionManager,
} from "../../launch/program.js";
import { type Check, check, SYNC_FIX, type Where } from "../types.js";
import type { EntryFacts } from "./entries.js";

/** Claude Desktop started bare `npx` / `.cmd` commands on Windows from this version on. */
export const DESKTOP_NPX_FIXED = "0.7.5";

/** Can the client spawn this command the way it spawns (no shell on Windows)? */
export function spawnCheck(f: EntryFacts, where: Where, command: string): Check {
  const base = baseName(command);
  const found = f.resolved?.command.found;
  const fix = f.managed
    ? SYNC_FIX
    : 'Run the package with node.exe and its script, or wrap it: "command": "cmd", "args": ["/c", "npx", …].';
  if (f.envKind === "windows") {
    const bare = !/[\\/]/.test(command) && !/\.[a-z0-9]+$/i.test(command);
    const batch = isBatchFile(command) || (bare && found !== undefined && isBatchFile(found));
    if (!batch)
      return check(
        "entry.spawn",
        "pass",
        where,
        `${f.clientName} starts \`${command}\` directly (no shell needed).`,
      );
    const why = isBatchFile(command)
      ? `\`${base}\` is a batch file: Node refuses to spawn .cmd/.bat without a shell since 18.20.2/20.12.2 (EINVAL)`
      : `\`${command}\` is ${found ? baseName(found) : `${command}.cmd`}, a batch file: spawned without a shell it is not found (ENOENT)`;
    if (f.client === "claude-desktop") {
      if (f.desktop?.msix || (f.desktop?.version && semver.gte(f.desktop.version, DESKTOP_NPX_FIXED)))
        return check(
          "entry.spawn",
          "pass",
          where,
          `Claude Desktop ${f.desktop.msix ? "(Store build)" : f.desktop.version} starts npx/.cmd commands itself (fixed in ${DESKTOP_NPX_FIXED}).`,
        );
      if (f.desktop?.version)
        return check(
          "entry.spawn",
          "fail",
          where,
          `${why}; Claude Desktop ${f.desktop.version} predates the fix in ${DESKTOP_NPX_FIXED}.`,
          {
            fix: `Update Claude Desktop, or: ${fix}`,
          },
        );
      return check(
        "entry.spawn",
        "warn",
        where,
        `${why}; Claude Desktop copes since ${DESKTOP_NPX_FIXED}, but its version could not be told.`,
        { fix },
      );
    }
    if (f.client === "claude-code")
      return check(
        "entry.spawn",
        "fail",
        where,
        `${why}. Claude Code on native Windows starts servers without a shell, so it fails here ("Connection closed"), even though a probe through the SDK (which wraps .cmd in cmd.exe) works.`,
        { fix },
      );
    return check("entry.spawn", "warn", where, `${why}; ${f.clientName} may not wrap it in a shell.`, {
      fix,
    });
  }
  if (f.envKind === "wsl" && found && f.mountRoot && found.startsWith(f.mountRoot) && !/\.exe$/i.test(found))
    return check(
      "entry.spawn",
      "fail",
      where,
      `\`${command}\` resolves to ${found}, a Windows script on the appended Windows PATH: it fails inside WSL (CRLF, "node: not found").`,
      {
        fix: f.managed ? SYNC_FIX : "Install Node.js inside WSL (nvm) and use its absolute paths.",
      },
    );
  if (isBatchFile(command))
    return check(
      "entry.spawn",
      "fail",
      where,
      `\`${base}\` is a Windows batch file; ${f.env} cannot run it.`,
      { fix },
    );
  return check("entry.spawn", "pass", where, `${f.clientName} starts \`${command}\` directly.`);
}

/** Does the command (or wsl.exe's program) exist, and its script? */
export function paths(f: EntryFacts, where: Where, program: string): Check[] {
  const r = f.resolved;
  if (!r) return [];
  const out: Check[] = [];
  const fix = f.managed ? SYNC_FIX : undefined;
  const missing = r.command.exists === false ? r.command : r.inner?.exists === false ? r.inner : undefined;
  if (missing) {
    if (isAbsoluteAny(missing.path) && isNodeProgram(missing.path)) {
      const version = /[\\/]v?(\d+\.\d+\.\d+)[\\/]/.exec(missing.path)?.[1];
      out.push(
        check(
          "entry.node-path",
          "fail",
          where,
          `node at ${missing.path} no longer exists${version || underVersionManager(missing.path) ? ` (Node ${version ? `v${version} ` : ""}was removed by an nvm or Node upgrade)` : ""}.`,
          {
            fix: fix ?? `Point "command" at the current node${f.envNode ? ` (${f.envNode})` : ""}.`,
          },
        ),
      );
    } else
      out.push(
        check(
          "entry.command",
          "fail",
          where,
          `\`${missing.path}\` is not found in ${missing.env}${isAbsoluteAny(missing.path) ? "" : " (not on its PATH)"}.`,
          {
            fix: fix ?? `Install ${programName(missing.path)} there, or use its absolute path.`,
          },
        ),
      );
  } else if (
    r.command.exists === undefined ||
    (r.inner && r.inner.exists === undefined && !isAbsoluteAny(program))
  )
    out.push(
      check(
        "entry.command",
        "skip",
        where,
        `cannot tell from here whether \`${r.inner?.path ?? r.command.path}\` exists in ${r.inner?.env ?? r.command.env}.`,
      ),
    );
  else
    out.push(
      check(
        "entry.command",
        "pass",
        where,
        `\`${r.inner?.found ?? r.command.found ?? r.command.path}\` exists in ${r.inner?.env ?? r.command.env}.`,
      ),
    );
  if (r.script?.exists === false)
    out.push(
      check(
        "entry.script",
        "fail",
        where,
        `the script ${r.script.path} does not exist in ${r.script.env} (package removed or moved).`,
        {
          fix: fix ?? "Reinstall the package (npm install -g …) and point the entry at its script.",
        },
      ),
    );
  else if (r.script?.exists)
    out.push(check("entry.script", "pass", where, `script ${r.script.path} exists.`));
  return out;
}

export function wslenv(f: EntryFacts, where: Where): Check {
  const names = Object.keys(f.view.env).filter((n) => n !== "WSLENV");
  const listed = new Map(
    (f.view.env.WSLENV ?? "")
      .split(":")
      .filter(Boolean)
      .map((spec) => {
        const [name, flags = ""] = spec.split("/");
        return [name!, flags] as const;
      }),
  );
  const lost = names.filter(
    (n) => !listed.has(n) || (listed.get(n)!.includes("w") && !listed.get(n)!.includes("u")),
  );
  if (lost.length === 0)
    return check(
      "entry.wslenv",
      "pass",
      where,
      names.length > 0 ? `WSLENV passes ${names.join(", ")} into Linux.` : "no variables to pass into Linux.",
    );
  return check(
    "entry.wslenv",
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
