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
): Promise<{ state: string; env: Record<string, string> }> {
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
  return { state, env: bridgeEnv(dir, home, state) };
}

/** What a bench's bridge runs with: HOME in its temp dir, its mcp-twin home and state, no colour. */
export const bridgeEnv = (dir: string, home: string, state: string): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: dir,
  MCP_TWIN_HOME: home,
  MCP_TWIN_BRIDGE_HOME: state,
  NO_COLOR: "1",
});
