/**
 * The servers a client's plugins and extensions provide, read where the client reads them: Claude
 * Code's enabled plugins (installed_plugins.json, settings.json's enabledPlugins, a plugin's
 * `.mcp.json` or plugin.json), Gemini CLI's extensions (gemini-extension.json). Read only.
 */
import { parse } from "jsonc-parser";
import type { Environment } from "../environments/types.js";
import { joinNative } from "../environments/types.js";
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
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

async function readJson(env: Environment, native: string): Promise<unknown> {
  const local = env.access(native);
  const text = local ? await readTextOrNull(local) : null;
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

/**
 * Claude Code: plugins listed in ~/.claude/plugins/installed_plugins.json (version 2: id → its
 * installs, each with installPath and scope) that ~/.claude/settings.json's `enabledPlugins` turns
 * on; a plugin's servers are its root's `.mcp.json` (`mcpServers`, or the servers themselves) and
 * its `.claude-plugin/plugin.json`'s inline `mcpServers`. User-scope installs only.
 */
export async function claudeCodePlugins(env: Environment): Promise<PluginServer[]> {
  const installed = await readJson(env, inHome(env, ".claude", "plugins", "installed_plugins.json"));
  const settings = await readJson(env, inHome(env, ".claude", "settings.json"));
  const enabled = isObject(settings) && isObject(settings.enabledPlugins) ? settings.enabledPlugins : {};
  if (!isObject(installed) || !isObject(installed.plugins)) return [];
  const out: PluginServer[] = [];
  for (const [id, installs] of Object.entries(installed.plugins)) {
    if (enabled[id] !== true) continue;
    const list = Array.isArray(installs) ? installs : [installs];
    const install = list.find(
      (i) => isObject(i) && typeof i.installPath === "string" && (i.scope ?? "user") === "user",
    );
    if (!isObject(install) || typeof install.installPath !== "string") continue;
    const dir = install.installPath;
    const root = { pattern: /\$\{CLAUDE_PLUGIN_ROOT\}/g, path: dir };
    const mcpFile = joinNative(env.kind, dir, ".mcp.json");
    const mcp = await readJson(env, mcpFile);
    if (isObject(mcp))
      out.push(...serversOf(id, mcpFile, isObject(mcp.mcpServers) ? mcp.mcpServers : mcp, root));
    const manifestFile = joinNative(env.kind, dir, ".claude-plugin", "plugin.json");
    const manifest = await readJson(env, manifestFile);
    if (isObject(manifest)) out.push(...serversOf(id, manifestFile, manifest.mcpServers, root));
  }
  return out;
}

/** Gemini CLI: each extension's ~/.gemini/extensions/<name>/gemini-extension.json `mcpServers`. */
export async function geminiExtensions(env: Environment): Promise<PluginServer[]> {
  const dir = inHome(env, ".gemini", "extensions");
  const out: PluginServer[] = [];
  for (const name of (await listIn(env, dir)).sort()) {
    const folder = joinNative(env.kind, dir, name);
    const file = joinNative(env.kind, folder, "gemini-extension.json");
    const config = await readJson(env, file);
    if (!isObject(config)) continue;
    const plugin = typeof config.name === "string" ? config.name : name;
    out.push(
      ...serversOf(plugin, file, config.mcpServers, { pattern: /\$\{extensionPath\}/g, path: folder }),
    );
  }
  return out;
}
