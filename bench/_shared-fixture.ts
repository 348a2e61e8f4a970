/**
 * The setup benchmarks of a shared server start from: the packed fixture server, a manifest that
 * shares it (`fixture`, in `mode`), and the environment a bridge of that home and state runs in.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packFixture } from "../test/helpers/fixture-package.js";

export async function sharedFixture(
  dir: string,
  mode: "machine" | "session",
): Promise<{ state: string; env: NodeJS.ProcessEnv }> {
  const fixture = await packFixture(dir, "1.0.0");
  const home = path.join(dir, "twin");
  const state = path.join(dir, "state");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    path.join(home, "mcp-twin.jsonc"),
    JSON.stringify({
      servers: { fixture: { command: process.execPath, args: [fixture.script], share: mode } },
    }),
  );
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    MCP_TWIN_HOME: home,
    MCP_TWIN_BRIDGE_HOME: state,
    NO_COLOR: "1",
  };
  return { state, env };
}
