/**
 * Where VS Code-family editors keep an extension's files in one environment: each desktop editor's
 * User folder, and the server of its remote windows (`~/.vscode-server/data/User` in WSL), with the
 * extension's globalStorage folder there — and whether the editor has the extension installed.
 */

import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { existsIn, inHome, listIn } from "./locate.js";
import type { ConfigLocation, EditorExtension } from "./types.js";

/**
 * One editor of the family: its User folder's parent on a desktop (`%APPDATA%\Code`,
 * `~/.config/Code`), its remote server's data folder in the home (`~/.vscode-server`), and the
 * folder in the home that holds its desktop extensions (`~/.vscode/extensions`).
 *
 * VS Code: a remote window's user data is `~/<serverDataFolderName>/data/User`, globalStorage under
 * it (microsoft/vscode src/vs/server/node/server.main.ts@cd0219f5, REMOTE_DATA_FOLDER /
 * APP_SETTINGS_HOME / GLOBAL_STORAGE_HOME); `.vscode-server`, `.vscode-server-insiders` are the
 * products' serverDataFolderName. Cursor's and Windsurf's servers (`.cursor-server`,
 * `.windsurf-server`) follow the same layout (their product files are not public; the paths are
 * the ones their users' extensions write, e.g. Cline's settings under
 * `~/.cursor-server/data/User/globalStorage/saoudrizwan.claude-dev/`).
 */
interface Editor {
  name: string;
  desktop: string;
  server?: string;
  extensions: string;
}

const EDITORS: readonly Editor[] = [
  { name: "VS Code", desktop: "Code", server: ".vscode-server", extensions: ".vscode" },
  {
    name: "VS Code Insiders",
    desktop: "Code - Insiders",
    server: ".vscode-server-insiders",
    extensions: ".vscode-insiders",
  },
  { name: "Cursor", desktop: "Cursor", server: ".cursor-server", extensions: ".cursor" },
  { name: "Windsurf", desktop: "Windsurf", server: ".windsurf-server", extensions: ".windsurf" },
  { name: "VSCodium", desktop: "VSCodium", extensions: ".vscode-oss" },
];

/** One editor's User folder in an environment, and where its extensions are installed. */
interface EditorHome {
  editor: string;
  /** A remote window's server (not the desktop editor). */
  remote: boolean;
  user: string;
  extensions: string;
}

/**
 * The User folders an environment may hold: a desktop editor's in the platform's config folder
 * (Windows `%APPDATA%`, macOS `~/Library/Application Support`, Linux `$XDG_CONFIG_HOME`), and on
 * Linux and in WSL also each remote server's.
 */
function editorHomes(env: Environment): EditorHome[] {
  const out: EditorHome[] = [];
  const config =
    env.kind === "windows"
      ? env.vars.APPDATA
      : env.kind === "macos"
        ? inHome(env, "Library", "Application Support")
        : (env.vars.XDG_CONFIG_HOME ?? inHome(env, ".config"));
  for (const e of EDITORS) {
    if (config)
      out.push({
        editor: e.name,
        remote: false,
        user: joinNative(env.kind, config, e.desktop, "User"),
        extensions: inHome(env, e.extensions, "extensions"),
      });
    if (e.server && (env.kind === "wsl" || env.kind === "linux"))
      out.push({
        editor: `${e.name} (remote)`,
        remote: true,
        user: inHome(env, e.server, "data", "User"),
        extensions: inHome(env, e.server, "extensions"),
      });
  }
  return out;
}

/** Is one of these extensions in this editor: its globalStorage folder, or its installed folder. */
async function hasExtension(env: Environment, home: EditorHome, id: string): Promise<boolean> {
  const key = id.toLowerCase();
  if (await existsIn(env, joinNative(env.kind, home.user, "globalStorage", key))) return true;
  // An installed extension's folder is `<publisher.name>-<version>[-<platform>]`.
  return (await listIn(env, home.extensions)).some((n) => n.toLowerCase().startsWith(`${key}-`));
}

/**
 * The extension's user file in every editor of the environment that has the editor installed (its
 * User folder exists): present where the extension is there. Editors without the extension give
 * absent locations (status and doctor show them; sync writes none).
 */
export async function extensionFiles(env: Environment, ext: EditorExtension): Promise<ConfigLocation[]> {
  const file = ext.file;
  if (!file) return [];
  const homes = editorHomes(env);
  const installed = await Promise.all(homes.map((h) => existsIn(env, h.user)));
  const out: ConfigLocation[] = [];
  for (const [i, home] of homes.entries()) {
    if (!installed[i]) continue;
    for (const id of ext.ids) {
      const key = id.toLowerCase();
      out.push({
        path: joinNative(env.kind, home.user, "globalStorage", key, ...file),
        present: await hasExtension(env, home, id),
        note: `${ext.names?.[id] ?? id} in ${home.editor}`,
      });
    }
  }
  return out;
}

/** Whether any editor of the environment has one of these extensions. */
export async function extensionPresent(env: Environment, ids: readonly string[]): Promise<boolean> {
  for (const home of editorHomes(env)) {
    if (!(await existsIn(env, home.user)) && !(await existsIn(env, home.extensions))) continue;
    for (const id of ids) if (await hasExtension(env, home, id)) return true;
  }
  return false;
}
