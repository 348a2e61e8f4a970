/**
 * LM Studio (0.3.17 and later): `mcp.json` in its home folder (~/.lmstudio, or where
 * ~/.lmstudio-home-pointer points), servers under `mcpServers` in Cursor's notation.
 */

import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { existsIn, inHome, readTextIn } from "./locate.js";
import type { ConfigLocation } from "./types.js";
import { NO_EXPANSION } from "./variables.js";

/**
 * Its home, as LM Studio's own tools find it (lmstudio-js `findLMStudioHome`): the folder named in
 * `~/.lmstudio-home-pointer`, else `~/.cache/lm-studio` when it exists (older installs), else
 * `~/.lmstudio`. The pointer is what the app writes when it moves its home.
 */
async function lmStudioHome(env: Environment): Promise<{ dir: string; note?: string }> {
  const pointer = (await readTextIn(env, inHome(env, ".lmstudio-home-pointer")))?.trim();
  if (pointer) {
    const absolute = env.kind === "windows" ? /^[A-Za-z]:[\\/]|^\\\\/.test(pointer) : pointer.startsWith("/");
    return { dir: absolute ? pointer : inHome(env, pointer), note: "~/.lmstudio-home-pointer" };
  }
  const cache = inHome(env, ".cache", "lm-studio");
  if (await existsIn(env, cache)) return { dir: cache, note: "its older home, ~/.cache/lm-studio" };
  return { dir: inHome(env, ".lmstudio") };
}

/** `mcp.json` in its home, found as its own tools find that home (a real quirk: a pointer file). */
async function inItsHome(env: Environment): Promise<ConfigLocation> {
  const { dir, note } = await lmStudioHome(env);
  return {
    path: joinNative(env.kind, dir, "mcp.json"),
    present: await existsIn(env, dir),
    ...(note ? { note } : {}),
  };
}

/**
 * - Its docs: "LM Studio currently follows Cursor's mcp.json notation" — `command`, `args`, `env`;
 *   a remote server `url` + `headers` (one key for Streamable HTTP and SSE, as Cursor's).
 * - A desktop app: edited in its own editor it loads the servers on save; a change made outside is
 *   read when it starts.
 * - No project file; it documents no variables in entries (values are read as written).
 */
export const lmStudio = defineClient({
  id: "lm-studio",
  name: "LM Studio",
  files: { windows: inItsHome, macos: inItsHome, linux: inItsHome },
  serversPath: ["mcpServers"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote),
    sse: (remote) => urlEntry(remote),
  },
  app: "desktop",
  processes: { windows: ["LM Studio.exe"], posix: ["lm-studio", "LM Studio"] },
  variables: NO_EXPANSION,
  docs: {
    file: "`mcp.json` in its home: `~/.lmstudio` (`%USERPROFILE%\\.lmstudio` on Windows), or the folder `~/.lmstudio-home-pointer` names, or `~/.cache/lm-studio` (older installs)",
    shapes: "Cursor's: `command`, `args`, `env`; remote (either transport): `url`, `headers`",
  },
  sources: [
    {
      fact: "`mcp.json` in Cursor's notation: `command`, `args`, `env`; `url` + `headers`",
      url: "https://github.com/lmstudio-ai/docs/blob/6fc6a66/0_app/2_mcp/index.mdx",
    },
    {
      fact: "`~/.lmstudio/mcp.json`, `%USERPROFILE%/.lmstudio/mcp.json` on Windows (0.3.17)",
      url: "https://lmstudio.ai/blog/lmstudio-v0.3.17",
    },
    {
      fact: "its home as its own tools find it: `~/.lmstudio-home-pointer`, else `~/.cache/lm-studio`, else `~/.lmstudio`",
      url: "https://github.com/lmstudio-ai/lmstudio-js/blob/6ec11db/packages/lms-common-server/src/findLMStudioHome.ts",
    },
  ],
});
