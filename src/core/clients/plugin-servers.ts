/**
 * The servers a client's plugins and extensions provide, read where and as the client reads them:
 * Claude Code's enabled plugins (any scope), Gemini CLI's extensions enabled for the user, Copilot
 * CLI's and Codex's enabled plugins. Read only.
 */
import { parse } from "jsonc-parser";
import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { formatOf, loadFormats } from "../formats/index.js";
import { readTextOrNull } from "../system/files.js";
import { inHome, listIn } from "./locate.js";

/** One server a plugin or extension provides. */
export interface PluginServer {
  /** The plugin (`name@marketplace`) or extension name. */
  plugin: string;
  name: string;
  /** The entry as the plugin writes it, `${CLAUDE_PLUGIN_ROOT}` / `${extensionPath}` expanded. */
  entry: Record<string, unknown>;
  /** The file it is in (native path). */
  file: string;
  /** Installed for this project folder only (Claude Code's project and local scopes; native path). */
  project?: string;
}

/** A plugin's server as reports name it: where it was seen (environment, client), its plugin and file. */
export interface PluginServerSeen {
  env: string;
  client: string;
  plugin: string;
  server: string;
  /** The plugin's file that names the server. */
  file: string;
  /** Installed for this project folder only. */
  project?: string;
}

/** `p` as seen in one environment's client. */
export function seenIn(
  where: { env: { id: string }; client: { id: string } },
  p: PluginServer,
): PluginServerSeen {
  return {
    env: where.env.id,
    client: where.client.id,
    plugin: p.plugin,
    server: p.name,
    file: p.file,
    ...(p.project ? { project: p.project } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

async function readJson(env: Environment, native: string): Promise<unknown> {
  const local = env.access(native);
  // A file that cannot be read (a folder's name that is a file: extension-enablement.json) is none.
  const text = local ? await readTextOrNull(local).catch(() => null) : null;
  if (text === null) return undefined;
  try {
    return parse(text, [], { allowTrailingComma: true });
  } catch {
    return undefined;
  }
}

/** Each value of a string-keyed object with `from` replaced by `to` in its strings. */
function expand(value: unknown, from: RegExp, to: string): unknown {
  if (typeof value === "string") return value.replace(from, to);
  if (Array.isArray(value)) return value.map((v) => expand(v, from, to));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, from, to)]));
  return value;
}

function serversOf(
  plugin: string,
  file: string,
  servers: unknown,
  root: { pattern: RegExp; path: string },
): PluginServer[] {
  if (!isObject(servers)) return [];
  return Object.entries(servers).flatMap(([name, entry]) =>
    isObject(entry)
      ? [{ plugin, name, file, entry: expand(entry, root.pattern, root.path) as Record<string, unknown> }]
      : [],
  );
}

/** `enabledPlugins` of a Claude Code settings file (empty when there is none). */
async function enabledIn(env: Environment, file: string): Promise<Record<string, unknown>> {
  const settings = await readJson(env, file);
  return isObject(settings) && isObject(settings.enabledPlugins) ? settings.enabledPlugins : {};
}

/**
 * Is a plugin install on? A user install by ~/.claude/settings.json's `enabledPlugins`; a project
 * or local one (`claude plugin install --scope project|local`) by the settings Claude Code reads in
 * its projectPath: the user's, then the project's .claude/settings.json, then its
 * settings.local.json, the later winning.
 */
async function installEnabled(
  env: Environment,
  id: string,
  install: Record<string, unknown>,
  user: Record<string, unknown>,
): Promise<boolean> {
  const scope = install.scope ?? "user";
  if (scope === "user") return user[id] === true;
  if ((scope !== "project" && scope !== "local") || typeof install.projectPath !== "string") return false;
  const dir = joinNative(env.kind, install.projectPath, ".claude");
  const project = await enabledIn(env, joinNative(env.kind, dir, "settings.json"));
  const local = await enabledIn(env, joinNative(env.kind, dir, "settings.local.json"));
  return ({ ...user, ...project, ...local } as Record<string, unknown>)[id] === true;
}

/** The servers of one installed plugin: its root's `.mcp.json` and its plugin.json's inline ones. */
async function claudePluginServers(env: Environment, id: string, dir: string): Promise<PluginServer[]> {
  const root = { pattern: /\$\{CLAUDE_PLUGIN_ROOT\}/g, path: dir };
  const mcpFile = joinNative(env.kind, dir, ".mcp.json");
  const mcp = await readJson(env, mcpFile);
  const out: PluginServer[] = [];
  if (isObject(mcp))
    out.push(...serversOf(id, mcpFile, isObject(mcp.mcpServers) ? mcp.mcpServers : mcp, root));
  const manifestFile = joinNative(env.kind, dir, ".claude-plugin", "plugin.json");
  const manifest = await readJson(env, manifestFile);
  if (isObject(manifest)) out.push(...serversOf(id, manifestFile, manifest.mcpServers, root));
  return out;
}

/**
 * Claude Code: plugins listed in ~/.claude/plugins/installed_plugins.json (version 2: id → its
 * installs, each with installPath, scope and, for a project or local one, projectPath) that are on
 * where they are installed (installEnabled).
 */
export async function claudeCodePlugins(env: Environment): Promise<PluginServer[]> {
  const installed = await readJson(env, inHome(env, ".claude", "plugins", "installed_plugins.json"));
  if (!isObject(installed) || !isObject(installed.plugins)) return [];
  const user = await enabledIn(env, inHome(env, ".claude", "settings.json"));
  const out: PluginServer[] = [];
  for (const [id, installs] of Object.entries(installed.plugins)) {
    for (const install of Array.isArray(installs) ? installs : [installs]) {
      if (!isObject(install) || typeof install.installPath !== "string") continue;
      if (!(await installEnabled(env, id, install, user))) continue;
      const servers = await claudePluginServers(env, id, install.installPath);
      const project = (install.scope ?? "user") === "user" ? undefined : String(install.projectPath);
      out.push(...servers.map((p) => (project === undefined ? p : { ...p, project })));
    }
  }
  return out;
}

/** A directory as Gemini's enablement rules match it: forward slashes, one at each end. */
function slashed(dir: string): string {
  const s = dir.replace(/\\/g, "/");
  return `${s.startsWith("/") ? "" : "/"}${s}${s.endsWith("/") ? "" : "/"}`;
}

/**
 * Is an extension on for the user? As 0.61.0's ExtensionEnablementManager.isEnabled(name, home)
 * ("Enabled (User)" of `gemini extensions list`): ~/.gemini/extensions/extension-enablement.json
 * maps its name to `overrides`, each a folder (`!` first: disabled there; `*` last: and below);
 * the last that matches the home folder wins, and none leaves it on.
 */
function geminiEnabled(config: unknown, name: string, home: string): boolean {
  const rules = isObject(config) && isObject(config[name]) ? config[name].overrides : undefined;
  let enabled = true;
  for (const rule of Array.isArray(rules) ? rules : []) {
    if (typeof rule !== "string") continue;
    const off = rule.startsWith("!");
    let base = off ? rule.slice(1) : rule;
    const below = base.endsWith("*");
    base = slashed(below ? base.slice(0, -1) : base);
    const at = slashed(home);
    if (at === base || (below && at.startsWith(base))) enabled = !off;
  }
  return enabled;
}

/**
 * Gemini CLI: each extension's ~/.gemini/extensions/<name>/gemini-extension.json `mcpServers`,
 * but for one the user disabled (`gemini extensions disable`: geminiEnabled).
 */
export async function geminiExtensions(env: Environment): Promise<PluginServer[]> {
  const dir = inHome(env, ".gemini", "extensions");
  const enablement = await readJson(env, joinNative(env.kind, dir, "extension-enablement.json"));
  const out: PluginServer[] = [];
  for (const name of (await listIn(env, dir)).sort()) {
    const folder = joinNative(env.kind, dir, name);
    const file = joinNative(env.kind, folder, "gemini-extension.json");
    const config = await readJson(env, file);
    if (!isObject(config)) continue;
    const plugin = typeof config.name === "string" ? config.name : name;
    if (!geminiEnabled(enablement, plugin, env.home)) continue;
    out.push(
      ...serversOf(plugin, file, config.mcpServers, { pattern: /\$\{extensionPath\}/g, path: folder }),
    );
  }
  return out;
}

/**
 * GitHub Copilot CLI (1.0.102, seen with `copilot mcp list --json`): the plugins in
 * $COPILOT_HOME/config.json's `installedPlugins` (JSON with comments) that are `enabled`, each in
 * its `cache_path`; a plugin's servers are its `.mcp.json`'s `mcpServers`, or plugin.json's when it
 * has no .mcp.json. Copilot starts them with PLUGIN_ROOT (and COPILOT_ / CLAUDE_PLUGIN_ROOT) set to
 * that folder, which `${…}` in their args stand for.
 */
export async function copilotPlugins(env: Environment): Promise<PluginServer[]> {
  const own = env.vars.COPILOT_HOME;
  const home = own && own.trim() !== "" ? own : inHome(env, ".copilot");
  const config = await readJson(env, joinNative(env.kind, home, "config.json"));
  const installed = isObject(config) && Array.isArray(config.installedPlugins) ? config.installedPlugins : [];
  const out: PluginServer[] = [];
  for (const p of installed) {
    if (!isObject(p) || p.enabled !== true || typeof p.cache_path !== "string" || typeof p.name !== "string")
      continue;
    const id =
      typeof p.marketplace === "string" && p.marketplace !== "" ? `${p.name}@${p.marketplace}` : p.name;
    const root = { pattern: /\$\{(?:COPILOT_|CLAUDE_)?PLUGIN_ROOT\}/g, path: p.cache_path };
    const mcpFile = joinNative(env.kind, p.cache_path, ".mcp.json");
    const mcp = await readJson(env, mcpFile);
    if (isObject(mcp)) {
      out.push(...serversOf(id, mcpFile, mcp.mcpServers, root));
      continue;
    }
    const manifestFile = joinNative(env.kind, p.cache_path, "plugin.json");
    const manifest = await readJson(env, manifestFile);
    if (isObject(manifest)) out.push(...serversOf(id, manifestFile, manifest.mcpServers, root));
  }
  return out;
}

/** The text of a file, or undefined (none, or it cannot be read). */
async function readText(env: Environment, native: string): Promise<string | undefined> {
  const local = env.access(native);
  // A plugin file unreadable (removed meanwhile, no permission) lists no servers.
  return (local ? await readTextOrNull(local).catch(() => null) : null) ?? undefined;
}

/**
 * Codex (0.169.0, seen with `codex plugin add` and `codex mcp list --json`): the plugins
 * $CODEX_HOME/config.toml turns on (`[plugins."<name>@<marketplace>"] enabled = true`), each in
 * plugins/cache/<marketplace>/<name>/<version> (one version folder; with several, which one it runs
 * is not known, so none is read). Its servers: .codex-plugin/plugin.json's `mcpServers` (the servers,
 * or a file of the plugin holding `mcpServers`), else its root's .mcp.json. `${…}` is left as written.
 */
export async function codexPlugins(env: Environment): Promise<PluginServer[]> {
  const own = env.vars.CODEX_HOME;
  const home = own && own.trim() !== "" ? own : inHome(env, ".codex");
  const file = joinNative(env.kind, home, "config.toml");
  const text = await readText(env, file);
  let config: unknown;
  try {
    const toml = { id: "codex", format: "toml" } as const;
    await loadFormats([toml]);
    config = text === undefined ? undefined : formatOf(toml).parse(text, file).top();
  } catch {
    return [];
  }
  const plugins = isObject(config) && isObject(config.plugins) ? config.plugins : {};
  const none = { pattern: /(?!)/g, path: "" };
  const out: PluginServer[] = [];
  for (const [id, setting] of Object.entries(plugins)) {
    const at = id.lastIndexOf("@");
    if (!isObject(setting) || setting.enabled !== true || at <= 0) continue;
    const base = joinNative(env.kind, home, "plugins", "cache", id.slice(at + 1), id.slice(0, at));
    const versions = await listIn(env, base);
    if (versions.length !== 1 || versions[0] === undefined) continue;
    const dir = joinNative(env.kind, base, versions[0]);
    const manifestFile = joinNative(env.kind, dir, ".codex-plugin", "plugin.json");
    const manifest = await readJson(env, manifestFile);
    const declared = isObject(manifest) ? manifest.mcpServers : undefined;
    if (isObject(declared)) {
      out.push(...serversOf(id, manifestFile, declared, none));
      continue;
    }
    // A file outside the plugin's folder: Codex disables the plugin's servers.
    if (typeof declared === "string" && declared.split(/[\\/]/).includes("..")) continue;
    const serversFile =
      typeof declared === "string"
        ? joinNative(env.kind, dir, ...declared.replace(/^\.\//, "").split("/"))
        : joinNative(env.kind, dir, ".mcp.json");
    const servers = await readJson(env, serversFile);
    if (isObject(servers)) out.push(...serversOf(id, serversFile, servers.mcpServers, none));
  }
  return out;
}
