/**
 * One client config entry → what it runs (pure): wrappers peeled off, then a package runner, `node
 * <script>` inside an installed package, any other program, or a remote url.
 */

import { presentedLabel } from "../bridge-link/index.js";
import { stringMap } from "../clients/entry-fields.js";
import { clientModule } from "../clients/index.js";
import { splitShellWords } from "../entries/launch/command-lines.js";
import { installedScript, type PackageJson } from "../entries/launch/node-script.js";
import { parseRunner } from "../entries/launch/runners.js";
import { peel } from "../entries/launch/wrappers.js";
import { programName } from "../environments/program.js";
import type { EnvKind } from "../environments/types.js";
import { entryKeys } from "../formats/index.js";
import { headerNameProblem, headerValueProblem, urlProblem } from "../manifest/remote-checks.js";
import type { ClientId } from "../manifest/schema.js";

export type { PackageJson } from "../entries/launch/node-script.js";

/** Where a launch runs: the config's own environment, or a WSL distro reached through wsl.exe. */
export type RunsIn = { where: "here" } | { where: "wsl"; distro?: string };

export interface RecognizeContext {
  client: ClientId;
  /** Kind of the environment the config file belongs to (a bare command runs there). */
  envKind: EnvKind;
  /** The package.json in a folder (native path of where the server runs); undefined when unreadable. */
  readPackageJson?(dir: string, runsIn: RunsIn): PackageJson | undefined;
  /** Is something at this path (native path of where the server runs)? undefined: cannot tell. */
  exists?(path: string, runsIn: RunsIn): boolean | undefined;
}

interface LaunchBase {
  /** How it was launched, for people: "cmd /c npx", "wsl npx", "node <installed script>". */
  via: string;
  runsIn: RunsIn;
  env: Record<string, string>;
  /** Entry keys a rewrite by sync would drop (client preferences such as alwaysAllow). */
  extraKeys: string[];
  notes: string[];
}

interface PackageLaunch extends LaunchBase {
  kind: "package";
  name: string;
  /** Version range or tag; "" for none (also for `@latest`). */
  range: string;
  bin?: string;
  args: string[];
}

interface CommandLaunch extends LaunchBase {
  kind: "command";
  command: string;
  args: string[];
}

interface RemoteServer {
  kind: "url";
  via: string;
  url: string;
  /** The older HTTP+SSE transport (`"type": "sse"`, Gemini's `url`); absent: Streamable HTTP. */
  transport?: "sse";
  headers: Record<string, string>;
  extraKeys: string[];
  notes: string[];
}

export type Recognized = PackageLaunch | CommandLaunch | RemoteServer;
export type Recognition = Recognized | { kind: "unknown"; reason: string };

/** mcp-twin's own entries (the bridge, `connect` relays) belong to sync, not to the manifest's servers. */
const SELF = "mcp-twin";
const SELF_REASON = "an mcp-twin bridge or relay entry: sync manages those itself";
const GATEWAY_REASON =
  "a url entry to mcp-twin's gateway (a shared server's, or the tools entry of toolSearch): sync manages those itself";

/** Keys that change how a server starts and that the manifest cannot express. */
const LAUNCH_KEYS = ["cwd", "envFile", "env_file", "headersHelper", "oauth", "auth"];
const KNOWN_KEYS = new Set([
  "command",
  "args",
  "env",
  "type",
  "disabled",
  "url",
  "serverUrl",
  "httpUrl",
  "headers",
]);

/**
 * One client config entry → what it runs (pure). Wrappers are peeled off first — `cmd /c`,
 * `wsl.exe [-d distro] [--exec|-e|--]`, `bash -c "…"`, `env VAR=…` — then the core is read:
 * a package runner (`npx`, `bunx`, `pnpm dlx`, `yarn dlx`, `npm exec`), `node <script>` inside an
 * installed package, or any other program (kept as a command). Remote entries (`url`, Windsurf's
 * `serverUrl`, Gemini's `httpUrl`) become a url. What cannot be represented faithfully is "not
 * understood", with the reason; values (secrets, references) are left to inline-keys.ts.
 */
export function recognizeEntry(raw: unknown, ctx: RecognizeContext): Recognition {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return unknown("the entry is not an object");
  const e = raw as Record<string, unknown>;
  // `"enabled": false` is how Zed, opencode and others say it.
  if (e.disabled === true || e.enabled === false) return unknown("disabled in this client; left as it is");
  const launchKey = LAUNCH_KEYS.find((k) => e[k] !== undefined);
  if (launchKey) return unknown(`uses "${launchKey}", which the manifest cannot express`);
  // The client's own fields (Zed's `source`, `enabled`): sync keeps them, so a rewrite drops none.
  const kept = entryKeys(clientModule(ctx.client)).kept ?? [];
  const extraKeys = Object.keys(e).filter((k) => !KNOWN_KEYS.has(k) && !kept.includes(k));
  const urlKey = (["url", "serverUrl", "httpUrl"] as const).find((k) => e[k] !== undefined);
  if (e.command !== undefined && urlKey) return unknown(`has both "command" and "${urlKey}"`);
  if (urlKey) return recognizeRemote(e, urlKey, ctx, extraKeys);
  if (typeof e.command !== "string" || e.command.trim() === "")
    return unknown(e.command === undefined ? "has neither a command nor a url" : '"command" is not a string');
  if (e.type !== undefined && e.type !== "stdio")
    return unknown(`"type": ${JSON.stringify(e.type)} with a command`);
  if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === "string")))
    return unknown('"args" is not a list of strings');
  const env = stringMap(e.env);
  if (!env) return unknown('"env" is not an object of strings');
  return recognizeLaunch(e.command, (e.args as string[] | undefined) ?? [], env, ctx, extraKeys);
}

function unknown(reason: string): { kind: "unknown"; reason: string } {
  return { kind: "unknown", reason };
}

function recognizeRemote(
  e: Record<string, unknown>,
  urlKey: "url" | "serverUrl" | "httpUrl",
  ctx: RecognizeContext,
  extraKeys: string[],
): Recognition {
  const url = e[urlKey];
  if (typeof url !== "string") return unknown(`"${urlKey}" is not a string`);
  const type = typeof e.type === "string" ? e.type : undefined;
  // Gemini CLI documents `url` as SSE (`httpUrl` is Streamable HTTP; 0.61 also reads a `url` without
  // `type` as Streamable HTTP first, then SSE); Claude Code, VS Code and Gemini say "sse" in `type`.
  const { reading } = clientModule(ctx.client);
  const sse = type === "sse" || (urlKey === "url" && !type && reading.untypedUrlMaybeSse !== undefined);
  if (type === "ws") return unknown("a WebSocket server: mcp-twin's url servers speak Streamable HTTP");
  if (
    type !== undefined &&
    type !== "sse" &&
    type !== "http" &&
    type !== "streamable-http" &&
    type !== "streamableHttp"
  )
    return unknown(`"type": ${JSON.stringify(e.type)} is not a remote transport mcp-twin knows`);
  if (!type && urlKey === "url" && reading.type !== undefined)
    return unknown('a url without "type": the client reads it as a stdio entry without a command');
  // A password is moved to a secret later (extractSecrets), and the URL checked again then.
  const problem = urlProblem(url, { credentials: "later" });
  if (problem) return unknown(`"${urlKey}" ${problem}`);
  const headers = stringMap(e.headers);
  if (!headers) return unknown('"headers" is not an object of strings');
  // The gateway's url entry (a shared server's, or toolSearch's `tools`): sync writes it, with a
  // client token derived for this very config; as a server it would carry that token away.
  const authorization = Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1];
  if (presentedLabel(authorization) !== undefined) return unknown(GATEWAY_REASON);
  for (const [name, value] of Object.entries(headers)) {
    const bad = headerNameProblem(name) ?? headerValueProblem(value);
    if (bad) return unknown(`the header ${JSON.stringify(name)} ${bad}`);
  }
  return {
    kind: "url",
    via: type ? `${urlKey} (${type})` : sse ? `${urlKey} (sse)` : urlKey,
    url,
    ...(sse ? { transport: "sse" as const } : {}),
    headers,
    extraKeys,
    notes: [],
  };
}

interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  runsIn: RunsIn;
  via: string[];
  notes: string[];
}

function recognizeLaunch(
  command: string,
  args: string[],
  env: Record<string, string>,
  ctx: RecognizeContext,
  extraKeys: string[],
): Recognition {
  let launch: Launch = { command, args, env, runsIn: { where: "here" }, via: [], notes: [] };
  // "npx -y pkg" in one string (not a path with spaces such as C:\Program Files\…).
  if (args.length === 0 && /\s/.test(command.trim()) && !/[\\/]/.test(command.trim().split(/\s/)[0] ?? "")) {
    const words = splitShellWords(command.trim());
    const [first] = words ?? [];
    if (words && first !== undefined && words.length > 1) {
      launch = { ...launch, command: first, args: words.slice(1) };
      launch.notes.push("the command and its arguments were one string");
    }
  }
  // What to keep when the core is not understood: the entry as found, or what runs inside WSL.
  let fallback = launch;
  for (let depth = 0; depth < 6; depth++) {
    const next = unwrap(launch);
    if (next === undefined) break;
    if (typeof next === "string") return unknown(next);
    launch = next;
    if (next.runsIn.where === "wsl" && fallback.runsIn.where !== "wsl") fallback = next;
  }
  const base = (l: Launch) => ({ runsIn: l.runsIn, env: l.env, extraKeys, notes: l.notes });
  const name = programName(launch.command);
  const runner = parseRunner(name, launch.args);
  if (runner && "spec" in runner) {
    if (runner.name === SELF) return unknown(SELF_REASON);
    return {
      kind: "package",
      ...base(launch),
      via: [...launch.via, runner.via].join(" "),
      name: runner.name,
      range: runner.range,
      ...(runner.bin ? { bin: runner.bin } : {}),
      args: runner.args,
      notes: [...launch.notes, ...runner.notes],
    };
  }
  if (runner) fallback.notes.push(runner.problem);
  if (name === "node" || name === "nodejs") {
    const files = {
      readPackageJson: (dir: string) => ctx.readPackageJson?.(dir, launch.runsIn),
      exists: (file: string) => ctx.exists?.(file, launch.runsIn),
    };
    // mcp-twin's relays start node with options of their own (entries/relay-node-flags.ts).
    const first = launch.args.findIndex((a) => !a.startsWith("-"));
    const self = first > 0 ? installedScript(launch.args.slice(first), files) : undefined;
    if (self && "name" in self && self.name === SELF) return unknown(SELF_REASON);
    const script = installedScript(launch.args, files);
    if ("name" in script) {
      if (script.name === SELF) return unknown(SELF_REASON);
      return {
        kind: "package",
        ...base(launch),
        via: [...launch.via, "node <installed script>"].join(" "),
        name: script.name,
        range: script.version ?? "",
        ...(script.bin ? { bin: script.bin } : {}),
        args: script.args,
        notes: [...launch.notes, ...script.notes],
      };
    }
    if (script.problem) fallback.notes.push(script.problem);
  }
  return {
    kind: "command",
    ...base(fallback),
    via: [...fallback.via, programName(fallback.command)].join(" "),
    command: fallback.command,
    args: fallback.args,
  };
}

/**
 * Peel one wrapper off (launch/wrappers.ts reads it): undefined when there is none, or when what
 * it runs needs cmd.exe or the shell to mean what it says (the entry is then kept as written); a
 * string when a wsl.exe line cannot be copied faithfully (not understood).
 */
function unwrap(l: Launch): Launch | string | undefined {
  const layer = peel(l);
  if (!layer) return undefined;
  if (layer.wsl) {
    if (layer.wsl.cd !== undefined)
      return `wsl.exe --cd ${layer.wsl.cd}: the manifest cannot set a working folder`;
    if (layer.problem || !layer.inner) return layer.problem ?? "wsl.exe with no command";
    const notes = [...l.notes];
    if (layer.wsl.user !== undefined)
      notes.push(`ran as WSL user "${layer.wsl.user}"; mcp-twin runs it as the distro's default user`);
    // sync writes its own WSLENV.
    const env = Object.fromEntries(Object.entries(l.env).filter(([k]) => k.toUpperCase() !== "WSLENV"));
    const distro = layer.wsl.distro;
    return {
      ...layer.inner,
      env,
      runsIn: { where: "wsl", ...(distro ? { distro } : {}) },
      via: [...l.via, layer.via],
      notes,
    };
  }
  if (layer.problem || !layer.inner) return undefined;
  return { ...l, ...layer.inner, env: { ...l.env, ...layer.env }, via: [...l.via, layer.via] };
}
