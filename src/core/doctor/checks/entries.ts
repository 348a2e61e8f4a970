import type { EnvKind } from "../../environments/types.js";
import { underVersionManager } from "../../launch/program.js";
import { downloadsOnStart } from "../../launch/runners.js";
import { innerProgram, shellCall, wslCall } from "../../launch/wrappers.js";
import type { ClientId } from "../../manifest/schema.js";
import type { EntryView, Expanded } from "../entry-view.js";
import type { EntryScope } from "../read-configs.js";
import type { Resolved } from "../resolve.js";
import { type Check, check, SYNC_FIX, seconds, type Where } from "../types.js";
import { paths, spawnCheck, wslenv } from "./spawn.js";

export interface EntryFacts {
  env: string;
  envKind: EnvKind;
  /** The environment's own node is under nvm (a login or GUI PATH will not have it). */
  envNodeUnderNvm?: boolean;
  /** The environment's own node (for the fix of a broken node path). */
  envNode?: string;
  client: ClientId;
  clientName: string;
  /** The client is a desktop app (it does not inherit your shell's PATH). */
  gui: boolean;
  scope: EntryScope;
  server: string;
  /** The client can use url entries from its file. */
  remoteCapable: boolean;
  /** A remote entry speaking SSE (doctor's probe completes a handshake with it). */
  sse?: boolean;
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

export { DESKTOP_NPX_FIXED } from "./spawn.js";

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
  if ((f.envKind === "macos" || f.envKind === "linux") && f.gui && !/[\\/]/.test(command)) {
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

/**
 * `${VAR}` in a `mcp-twin connect … --header` argument whose VAR the entry's env sets: connect
 * expands it itself (sync keeps header values out of argv this way), so a client that passes it
 * literally (Claude Desktop) is right to.
 */
function relayHeaderRefs(view: EntryFacts["view"]): Set<string> {
  const refs = new Set<string>();
  if (!view.args.includes("connect")) return refs;
  view.args.forEach((arg, i) => {
    if (view.args[i - 1] !== "--header") return;
    for (const m of arg.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g))
      if (Object.hasOwn(view.env, m[1]!)) refs.add(m[0]);
  });
  return refs;
}

function references(f: EntryFacts, where: Where): Check[] {
  const out: Check[] = [];
  const relayed = relayHeaderRefs(f.view);
  const literal = f.expanded.literal.filter((l) => !relayed.has(l));
  if (literal.length > 0)
    out.push(
      check(
        "entry.reference",
        "fail",
        where,
        `Claude Desktop does not expand variables: the server receives ${literal.join(", ")} literally.`,
        {
          fix: f.managed
            ? SYNC_FIX
            : "Put the value itself in the entry (or the server in the manifest with ${secret:NAME}, then sync).",
        },
      ),
    );
  const passedOn = new Set([...f.view.forward, ...Object.values(f.view.headerVars).map((h) => h.variable)]);
  const unsetPassed = f.expanded.unset.filter((n) => passedOn.has(n));
  if (unsetPassed.length > 0)
    out.push(
      check(
        "entry.reference",
        "fail",
        where,
        `${unsetPassed.join(", ")} ${unsetPassed.length > 1 ? "are" : "is"} not set where ${f.clientName} starts, so the server does not get ${unsetPassed.length > 1 ? "them" : "it"} (the entry passes ${unsetPassed.length > 1 ? "them" : "it"} on by name).`,
        {
          fix: `Set ${unsetPassed.join(", ")} in the environment ${f.clientName} starts from (then start a new session).`,
        },
      ),
    );
  const unset = f.expanded.unset.filter((n) => !passedOn.has(n));
  if (unset.length > 0)
    out.push(
      check(
        "entry.reference",
        "fail",
        where,
        `${unset.map((n) => `\${${n}}`).join(", ")} ${unset.length > 1 ? "are" : "is"} not set where ${f.clientName} starts, so the server gets the text literally.`,
        {
          fix: `Set ${unset.join(", ")} in the environment ${f.clientName} starts from (then restart it).`,
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
  if (f.client === "gemini-cli" && view.urlKey === "url" && !view.type && !f.sse)
    return check(
      "entry.remote",
      "warn",
      where,
      'Gemini CLI versions read a "url" without "type" differently: as the older SSE transport (its docs, older versions) or as Streamable HTTP first (0.61).',
      {
        fix: fixFor(f, 'Say which: add "type": "sse", or "type": "http" (or rename "url" to "httpUrl").'),
      },
    );
  return check(
    "entry.remote",
    "pass",
    where,
    f.sse
      ? `SSE server at ${view.url} (its handshake is probed)`
      : `remote server at ${view.url} (not started by doctor)`,
  );
}

function fixFor(f: EntryFacts, manual: string): string {
  return f.managed ? SYNC_FIX : manual;
}
