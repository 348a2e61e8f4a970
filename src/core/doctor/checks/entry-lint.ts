/**
 * The checks of one client entry as written: its shape, the program and script it starts, the
 * paths and variables it relies on, and whether it can start within the client's timeout.
 */

import { clientModule } from "../../clients/index.js";
import { downloadsOnStart } from "../../entries/launch/runners.js";
import { innerProgram, shellCall, wslCall } from "../../entries/launch/wrappers.js";
import { underVersionManager } from "../../environments/program.js";
import { defineCheck } from "../check-def.js";
import type { EntryFacts } from "../facts.js";
import { SYNC_FIX, seconds, uvInstallOnce } from "../finding-words.js";
import type { Show } from "../path-style.js";
import { type Finding, finding, type Where } from "../types.js";
import { command, missingProgram, nodePath, script, spawnCheck, wslenv } from "./spawn.js";

/**
 * How to fix an entry its client cannot use: a url without "type" in a client that reads "type"
 * strictly (but does not require it everywhere) needs one; anything else, by hand or in the manifest.
 */
function shapeFix(f: EntryFacts): string {
  return f.view.url && !f.view.type && clientModule(f.client).reading.type === "strict"
    ? 'Add "type": "http" (or "sse") to the entry.'
    : "Fix the entry by hand, or define the server in the manifest.";
}

const whereOf = (f: EntryFacts): Where => ({
  env: f.env,
  client: f.client,
  server: f.server,
  scope: f.scope,
});
/**
 * sync rewrites a manifest package's entry (absolute paths, 8.3 names): say so before the manual
 * way — unless the entry is what sync writes already (a sync would change nothing).
 */
const fixBy = (f: EntryFacts, manual: string) =>
  f.managedPackage && !f.synced ? `${SYNC_FIX} ${manual}`.trim() : manual;

/** A check that applies to stdio entries only, with the entry's command and the program it runs. */
function stdio(
  run: (
    f: EntryFacts,
    where: Where,
    command: string,
    program: { command: string; args: string[] },
    show: Show,
  ) => Finding[],
): (f: EntryFacts, show: Show) => Finding[] {
  return (f, show) => {
    if (f.view.kind !== "stdio") return [];
    const command = f.view.command ?? "";
    return run(f, whereOf(f), command, innerProgram(command, f.view.args), show);
  };
}

/** How to stop fetching on every start, for the runner that fetches (npx, uvx, …). */
function coldStartFix(f: EntryFacts, runner: string, args: readonly string[]): string {
  if (runner === "uvx")
    return `${uvInstallOnce(args)}${f.managed ? " (the manifest's command, then `mcp-twin sync`)" : ""}.`;
  if (f.managedPackage) return `${SYNC_FIX} It installs the package and runs node + its script.`;
  if (f.managed)
    return 'Give the server a "package" in the manifest instead of this command, then `mcp-twin sync`: it installs the package once and runs node + its script.';
  return "Install the package and run it with node + its script (what sync writes for a manifest package).";
}

export const entryChecks = [
  defineCheck({
    id: "entry.shape",
    scope: "entry",
    doc: "an entry its client cannot use: no command and no url, Claude Code/VS Code `url` without `type`, wrong types.",
    fix: 'add `"type": "http"`, or fix the entry.',
    run: (f) => {
      const { view } = f;
      if (view.kind !== "invalid") return [];
      return [
        finding(
          "fail",
          whereOf(f),
          `${f.clientName} cannot use this entry: it ${view.problems.join("; ")}.`,
          { fix: f.managed ? `${SYNC_FIX} ${shapeFix(f)}` : shapeFix(f) },
        ),
      ];
    },
  }),
  defineCheck({
    id: "entry.reference",
    scope: "entry",
    doc: "`${…}` in a Claude Desktop entry (it passes text literally), or a variable the client expands that is not set.",
    fix: "put the value in (via the manifest + sync), or set the variable where the client starts.",
    run: (f) => (f.view.kind === "invalid" ? [] : references(f, whereOf(f))),
  }),
  defineCheck({
    id: "entry.remote",
    scope: "entry",
    doc: 'a url (HTTP) entry in Claude Desktop (skipped silently: remote servers only via Connectors), Windsurf `url` instead of `serverUrl`, a Gemini `url` without `type` (read as SSE by its docs and older versions, as Streamable HTTP first by 0.61: a warning, fixed by saying `"type"`).',
    fix: "define it as a url server in the manifest and sync (Desktop gets a `mcp-twin connect` stdio relay) / rename the key.",
    run: (f) => (f.view.kind === "remote" ? [remote(f, whereOf(f))] : []),
  }),
  defineCheck({
    id: "entry.spawn",
    scope: "entry",
    doc: "the command cannot be spawned the way its client spawns: on Windows bare `npx` (ENOENT) and any `*.cmd`/`*.bat` (EINVAL since Node 18.20.2/20.12.2) without a shell — fail for Claude Code on native Windows, fail for Claude Desktop before 0.7.5 (Dec 2024; read from `%LOCALAPPDATA%\\AnthropicClaude\\app-*`), pass after and for the Store build, warn for others; inside WSL, a bare command resolving to Windows' script on the appended PATH.",
    fix: '`mcp-twin sync` (node.exe + the package\'s script), or `"command": "cmd", "args": ["/c", "npx", …]`.',
    run: stdio((f, where, command, _program, show) => [spawnCheck(f, where, command, show)]),
  }),
  defineCheck({
    id: "entry.command",
    scope: "entry",
    doc: "the command (or the program `wsl.exe` starts) is not found in the environment it runs in.",
    fix: "install it there — the fix names the install command for that program and environment (uv, Python, Docker, Node.js …); sync installs npm packages, never programs — or use its absolute path.",
    run: stdio((f, where, _command, program, show) => command(f, where, program.command, show)),
  }),
  defineCheck({
    id: "entry.node-path",
    scope: "entry",
    doc: "an absolute node path that no longer exists (nvm or Node upgrade removed that version).",
    fix: "`mcp-twin sync`, or point it at the current node.",
    run: stdio((f, where, _command, _program, show) => nodePath(f, where, show)),
  }),
  defineCheck({
    id: "entry.script",
    scope: "entry",
    doc: "the script node runs does not exist (package removed or moved).",
    fix: "`mcp-twin sync` (reinstalls), or reinstall the package.",
    run: stdio((f, where, _command, _program, show) => script(f, where, show)),
  }),
  defineCheck({
    id: "entry.spaces",
    scope: "entry",
    doc: "paths/args with spaces in Claude Desktop on Windows (fail: it splits them) or Cursor on Windows (warn).",
    fix: "`mcp-twin sync` (writes 8.3 short names such as `C:\\PROGRA~1\\…`).",
    run: stdio((f, where, command) => {
      const splits = clientModule(f.client).windowsSpaces;
      if (f.envKind !== "windows" || !splits) return [];
      const spaced = [command, ...f.view.args].filter((a) => a.includes(" "));
      if (spaced.length === 0) return [];
      return [
        finding(
          splits === "splits" ? "fail" : "warn",
          where,
          `${f.clientName} on Windows splits arguments at spaces when it starts servers: ${spaced.map((s) => `"${s}"`).join(", ")}.`,
          { fix: f.spacesFix ?? fixBy(f, "Use 8.3 short paths (C:\\PROGRA~1\\…) or paths without spaces.") },
        ),
      ];
    }),
  }),
  defineCheck({
    id: "entry.wslenv",
    scope: "entry",
    doc: "a `wsl.exe` entry sets variables not listed in its `WSLENV` (with `/u`), so the Linux server never sees them.",
    fix: 'add `"WSLENV": "NAME/u:…"` (sync does).',
    run: stdio((f, where, command) =>
      f.envKind === "windows" && wslCall(command, f.view.args) ? [wslenv(f, where)] : [],
    ),
  }),
  defineCheck({
    id: "entry.login-shell",
    scope: "entry",
    doc: "`bash -lc` running node/npx when node comes from nvm (a login shell does not load nvm: its loader in ~/.bashrc returns early when not interactive); `bash -ic` (warn: may print to stdout).",
    fix: 'absolute node path, or `. "$HOME/.nvm/nvm.sh" && exec node …`.',
    run: stdio((f, where, command) => {
      const wsl = f.envKind === "windows" ? wslCall(command, f.view.args) : undefined;
      const shell = shellCall(wsl?.command ?? command, wsl?.args ?? f.view.args);
      if (!shell) return [];
      const usesNode = /(^|[\s;&|(])(node|npx|npm)(\s|$)/.test(shell.script);
      if (shell.interactive)
        return [
          finding(
            "warn",
            where,
            `\`${shell.shell} -i\` reads ~/.${shell.shell}rc, which may print to stdout and break JSON-RPC.`,
            {
              fix: fixBy(f, "Start the server by its absolute path instead of through an interactive shell."),
            },
          ),
        ];
      if (shell.login && usesNode && !/nvm\.sh/.test(shell.script) && f.envNodeUnderNvm)
        return [
          finding(
            "fail",
            where,
            `\`${shell.shell} -lc\` does not load nvm (its loader in ~/.bashrc returns early when not interactive), so node/npx are not on PATH there.`,
            {
              fix: fixBy(
                f,
                'Use the absolute node path, or source nvm first: . "$HOME/.nvm/nvm.sh" && exec node …',
              ),
            },
          ),
        ];
      return [];
    }),
  }),
  defineCheck({
    id: "entry.gui-path",
    scope: "entry",
    doc: "a GUI app (macOS/Linux) runs a bare command found only through nvm/fnm/volta's PATH, which apps started from the desktop do not inherit.",
    fix: "absolute path (sync writes one).",
    run: stdio((f, where, command, _program, show) => {
      if ((f.envKind !== "macos" && f.envKind !== "linux") || !f.gui || /[\\/]/.test(command)) return [];
      const found = f.resolved?.command.found;
      const manager = found ? underVersionManager(found) : undefined;
      if (!found || !manager) return [];
      return [
        finding(
          "warn",
          where,
          `\`${command}\` is found only through ${manager}'s PATH (${show.path(found)}); ${f.clientName}, started from the desktop, does not inherit it.`,
          { fix: fixBy(f, "Use the absolute path of the program.") },
        ),
      ];
    }),
  }),
  defineCheck({
    id: "entry.builtin-node",
    scope: "entry",
    doc: "Claude Desktop runs bare `node`/`npx` on its built-in Node (`isUsingBuiltInNodeForMcp`, on by default), which does not see `npm -g` packages.",
    fix: 'absolute node path, or `"isUsingBuiltInNodeForMcp": false`.',
    run: stdio((f, where, command) => {
      const builtIn = clientModule(f.client).builtInNode;
      return builtIn && f.desktop?.builtInNode !== false && ["node", "npx"].includes(command)
        ? [
            finding(
              "warn",
              where,
              `${f.clientName} runs bare \`${command}\` on its built-in Node ("${builtIn.setting}"), which does not see packages installed with npm -g.`,
              { fix: fixBy(f, `Use an absolute node path, or set "${builtIn.key}": false.`) },
            ),
          ]
        : [];
    }),
  }),
  defineCheck({
    id: "entry.cold-start",
    scope: "entry",
    doc: "`npx`/`uvx`/`pnpm dlx`/`bunx` fetch the package on start: a cold start can exceed the client's start-up timeout (Claude Code 30 s). Not reported while the runner itself is not found (`entry.command` is that finding).",
    fix: "for an npm package, `mcp-twin sync` installs it and runs node + its script (give the server a `package` in the manifest); for uvx, `uv tool install <its package>` once (the fix names it) and start the installed program.",
    run: stdio((f, where, _command, program) => {
      const downloader = downloadsOnStart(program.command, program.args);
      // A runner that is not there fetches nothing: entry.command's finding is the one to act on.
      if (!downloader || missingProgram(f)) return [];
      // Not the client's name: the same entry in several clients is one finding (group.ts).
      return [
        finding(
          "warn",
          where,
          `\`${downloader}\` fetches the package when the server starts: a cold start (empty cache, slow network) can exceed its client's start-up timeout (${seconds(f.timeoutMs)}).`,
          { fix: coldStartFix(f, downloader, program.args) },
        ),
      ];
    }),
  }),
] as const;

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
      if (Object.hasOwn(view.env, m[1] ?? "")) refs.add(m[0]);
  });
  return refs;
}

function references(f: EntryFacts, where: Where): Finding[] {
  const out: Finding[] = [];
  const relayed = relayHeaderRefs(f.view);
  const literal = f.expanded.literal.filter((l) => !relayed.has(l));
  if (literal.length > 0)
    out.push(
      finding(
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
      finding(
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
      finding(
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

function remote(f: EntryFacts, where: Where): Finding {
  const { view } = f;
  if (!f.remoteCapable)
    return finding(
      "fail",
      where,
      `${f.clientName} skips url entries in its config file (remote servers only go through Settings → Connectors), so this server never loads.`,
      {
        fix: "Define it in the manifest as a url server and run `mcp-twin sync`: Claude Desktop then gets a stdio relay (`mcp-twin connect`).",
      },
    );
  const { reading } = clientModule(f.client);
  if (reading.urlKey !== undefined && view.urlKey !== reading.urlKey)
    return finding(
      "fail",
      where,
      `${f.clientName} reads "${reading.urlKey}", not "${view.urlKey}": this entry does not connect.`,
      {
        fix: fixFor(f, `Rename "url" to "${reading.urlKey}".`),
      },
    );
  if (reading.untypedUrlMaybeSse && view.urlKey === "url" && !view.type && !f.sse)
    return finding(
      "warn",
      where,
      `${f.clientName} versions read a "url" without "type" differently: as the older SSE transport (its docs, older versions) or as Streamable HTTP first (${reading.untypedUrlMaybeSse.httpFirstSince}).`,
      {
        fix: fixFor(f, 'Say which: add "type": "sse", or "type": "http".'),
      },
    );
  return finding(
    "pass",
    where,
    `${f.sse ? "SSE" : "remote"} server at ${view.url}, in the form ${f.clientName} reads (the server itself: see probe.handshake)`,
  );
}

function fixFor(f: EntryFacts, manual: string): string {
  return f.managed ? SYNC_FIX : manual;
}
