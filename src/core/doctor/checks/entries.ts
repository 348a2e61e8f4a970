/**
 * Lint each entry against the way its own client starts servers (pure). A live probe through the
 * SDK is not enough: the SDK's stdio client runs `.cmd` files through cmd.exe (cross-spawn), so a
 * probe passes for `npx` entries that Claude Code on native Windows cannot start at all.
 */
import semver from "semver";
import type { EnvKind } from "../../environments/types.js";
import type { ClientId } from "../../manifest/schema.js";
import {
  baseName,
  downloadsOnStart,
  innerProgram,
  isAbsoluteAny,
  isBatchFile,
  isNodeProgram,
  shellCall,
  stripExe,
  underVersionManager,
  wslCall,
} from "../command.js";
import type { EntryView, Expanded } from "../entry-view.js";
import type { EntryScope } from "../read-configs.js";
import type { Resolved } from "../resolve.js";
import { type Check, check, SYNC_FIX, seconds, type Where } from "../types.js";

export interface EntryFacts {
  env: string;
  envKind: EnvKind;
  /** The environment's own node is under nvm (a login or GUI PATH will not have it). */
  envNodeUnderNvm?: boolean;
  /** The environment's own node (for the fix of a broken node path). */
  envNode?: string;
  client: ClientId;
  clientName: string;
  scope: EntryScope;
  server: string;
  /** The client can use url entries from its file. */
  remoteCapable: boolean;
  view: EntryView;
  expanded: Expanded;
  resolved?: Resolved;
  /** The server is in the manifest (so `mcp-twin sync` rewrites this entry). */
  managed: boolean;
  /** The client's start-up timeout. */
  timeoutMs: number;
  desktop?: { msix: boolean; version?: string; builtInNode?: boolean };
  /** On a WSL environment: the automount root, to spot Windows programs on the PATH. */
  mountRoot?: string;
}

/** Claude Desktop started bare `npx` / `.cmd` commands on Windows from this version on. */
export const DESKTOP_NPX_FIXED = "0.7.5";

export function lintEntry(f: EntryFacts): Check[] {
  const where: Where = { env: f.env, client: f.client, server: f.server, scope: f.scope };
  const out: Check[] = [];
  const fixBy = (manual: string) => (f.managed ? `${SYNC_FIX} ${manual}`.trim() : manual);
  const { view } = f;

  if (view.kind === "invalid") {
    out.push(
      check(
        "entry.shape",
        "fail",
        where,
        `${f.clientName} cannot use this entry: it ${view.problems.join("; ")}.`,
        {
          fix: fixBy(
            view.url && !view.type && f.client === "claude-code"
              ? 'Add "type": "http" (or "sse") to the entry.'
              : "Fix the entry by hand, or define the server in the manifest.",
          ),
        },
      ),
    );
    return out;
  }
  out.push(...references(f, where));
  if (view.kind === "remote") {
    out.push(remote(f, where));
    return out;
  }
  const command = view.command ?? "";
  const program = innerProgram(command, view.args);
  out.push(spawnCheck(f, where, command));
  out.push(...paths(f, where, program.command));
  if (f.envKind === "windows" && (f.client === "claude-desktop" || f.client === "cursor")) {
    const spaced = [command, ...view.args].filter((a) => a.includes(" "));
    if (spaced.length > 0)
      out.push(
        check(
          "entry.spaces",
          f.client === "claude-desktop" ? "fail" : "warn",
          where,
          `${f.clientName} on Windows splits arguments at spaces when it starts servers: ${spaced.map((s) => `"${s}"`).join(", ")}.`,
          { fix: fixBy("Use 8.3 short paths (C:\\PROGRA~1\\…) or paths without spaces.") },
        ),
      );
  }
  const wsl = f.envKind === "windows" ? wslCall(command, view.args) : undefined;
  if (wsl) out.push(wslenv(f, where));
  const shell = shellCall(wsl?.command ?? command, wsl?.args ?? view.args);
  if (shell) {
    const usesNode = /(^|[\s;&|(])(node|npx|npm)(\s|$)/.test(shell.script);
    if (shell.interactive)
      out.push(
        check(
          "entry.login-shell",
          "warn",
          where,
          `\`${shell.shell} -i\` reads ~/.${shell.shell}rc, which may print to stdout and break JSON-RPC.`,
          {
            fix: fixBy("Start the server by its absolute path instead of through an interactive shell."),
          },
        ),
      );
    else if (shell.login && usesNode && !/nvm\.sh/.test(shell.script) && f.envNodeUnderNvm)
      out.push(
        check(
          "entry.login-shell",
          "fail",
          where,
          `\`${shell.shell} -lc\` does not load nvm (its loader in ~/.bashrc returns early when not interactive), so node/npx are not on PATH there.`,
          {
            fix: fixBy(
              'Use the absolute node path, or source nvm first: . "$HOME/.nvm/nvm.sh" && exec node …',
            ),
          },
        ),
      );
  }
  if (
    (f.envKind === "macos" || f.envKind === "linux") &&
    ["claude-desktop", "cursor", "windsurf", "vscode"].includes(f.client) &&
    !/[\\/]/.test(command)
  ) {
    const manager = f.resolved?.command.found ? underVersionManager(f.resolved.command.found) : undefined;
    if (manager)
      out.push(
        check(
          "entry.gui-path",
          "warn",
          where,
          `\`${command}\` is found only through ${manager}'s PATH (${f.resolved!.command.found}); ${f.clientName}, started from the desktop, does not inherit it.`,
          {
            fix: fixBy("Use the absolute path of the program."),
          },
        ),
      );
  }
  if (f.client === "claude-desktop" && f.desktop?.builtInNode !== false && ["node", "npx"].includes(command))
    out.push(
      check(
        "entry.builtin-node",
        "warn",
        where,
        `Claude Desktop runs bare \`${command}\` on its built-in Node ("Use Built-in Node.js for MCP"), which does not see packages installed with npm -g.`,
        { fix: fixBy('Use an absolute node path, or set "isUsingBuiltInNodeForMcp": false.') },
      ),
    );
  const downloader = downloadsOnStart(program.command, program.args);
  if (downloader)
    out.push(
      check(
        "entry.cold-start",
        "warn",
        where,
        `\`${downloader}\` fetches the package when the server starts: a cold start (empty cache, slow network) can exceed ${f.clientName}'s start-up timeout (${seconds(f.timeoutMs)}).`,
        { fix: fixBy("Install the package and run it with node + its script (what sync writes).") },
      ),
    );
  return out;
}

function references(f: EntryFacts, where: Where): Check[] {
  const out: Check[] = [];
  if (f.expanded.literal.length > 0)
    out.push(
      check(
        "entry.reference",
        "fail",
        where,
        `Claude Desktop does not expand variables: the server receives ${f.expanded.literal.join(", ")} literally.`,
        {
          fix: f.managed
            ? SYNC_FIX
            : "Put the value itself in the entry (or the server in the manifest with ${secret:NAME}, then sync).",
        },
      ),
    );
  if (f.expanded.unset.length > 0)
    out.push(
      check(
        "entry.reference",
        "fail",
        where,
        `${f.expanded.unset.map((n) => `\${${n}}`).join(", ")} ${f.expanded.unset.length > 1 ? "are" : "is"} not set where ${f.clientName} starts, so the server gets the text literally.`,
        {
          fix: `Set ${f.expanded.unset.join(", ")} in the environment ${f.clientName} starts from (then restart it).`,
        },
      ),
    );
  return out;
}

function remote(f: EntryFacts, where: Where): Check {
  const { view } = f;
  if (!f.remoteCapable)
    return check(
      "entry.remote",
      "fail",
      where,
      `${f.clientName} skips url entries in its config file (remote servers only go through Settings → Connectors), so this server never loads.`,
      {
        fix: "Define it in the manifest as a url server and run `mcp-twin sync`: Claude Desktop then gets a stdio relay (`mcp-twin connect`).",
      },
    );
  if (f.client === "windsurf" && view.urlKey !== "serverUrl")
    return check(
      "entry.remote",
      "fail",
      where,
      `Windsurf reads "serverUrl", not "${view.urlKey}": this entry does not connect.`,
      {
        fix: fixFor(f, 'Rename "url" to "serverUrl".'),
      },
    );
  if (f.client === "gemini-cli" && view.urlKey === "url")
    return check(
      "entry.remote",
      "warn",
      where,
      'Gemini CLI reads "url" as the old SSE transport; Streamable HTTP servers need "httpUrl".',
      {
        fix: fixFor(f, 'Rename "url" to "httpUrl" for a Streamable HTTP server.'),
      },
    );
  return check("entry.remote", "pass", where, `remote server at ${view.url} (not started by doctor)`);
}

function fixFor(f: EntryFacts, manual: string): string {
  return f.managed ? SYNC_FIX : manual;
}

/** Can the client spawn this command the way it spawns (no shell on Windows)? */
function spawnCheck(f: EntryFacts, where: Where, command: string): Check {
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
function paths(f: EntryFacts, where: Where, program: string): Check[] {
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
            fix: fix ?? `Install ${stripExe(baseName(missing.path))} there, or use its absolute path.`,
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

function wslenv(f: EntryFacts, where: Where): Check {
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
