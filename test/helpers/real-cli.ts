/**
 * A real AI client's CLI for opt-in tests, shipped as an npm package: installed pinned into a cache
 * folder (reused across runs) when MCP_TWIN_REAL_CLIENTS=1, or given as a binary by its variable.
 * Not opted in, the reason says why the tests are skipped; opted in, a client that cannot be
 * installed or does not run throws, and the test file fails: an opt-in run judges, never skips.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type RealCli = { bin: string; version: string } | { reason: string };

export interface RealCliSpec {
  /** The npm package, e.g. `@openai/codex`. */
  pkg: string;
  version: string;
  /** The command the package installs, e.g. `codex`. */
  command: string;
  /** The variable that names a binary to use instead, e.g. `MCP_TWIN_CODEX_BIN`. */
  binVariable: string;
  /**
   * Packages installed beside it in the same prefix (`name@version`): a platform binary its
   * install does not bring (Factory's: `@factory/cli` 0.225.1 names 0.225.1 of a package the
   * registry has as 0.225.2 only).
   */
  also?: readonly string[];
  /** A folder put first on PATH to install and run it (a Node.js of the version it needs). */
  pathFirst?: string;
  /** How long `--version` may take (default 30 s; a client that unpacks a runtime takes longer). */
  versionTimeoutMs?: number;
}

export function realCli({
  pkg,
  version,
  command,
  binVariable,
  also = [],
  pathFirst,
  versionTimeoutMs,
}: RealCliSpec): RealCli {
  const PATH = pathFirst ? `${pathFirst}${path.delimiter}${process.env.PATH ?? ""}` : process.env.PATH;
  let bin = process.env[binVariable];
  if (!bin) {
    if (process.env.MCP_TWIN_REAL_CLIENTS !== "1")
      return {
        reason: `opt-in: set MCP_TWIN_REAL_CLIENTS=1 (installs ${pkg}@${version} from the npm registry) or ${binVariable}=<${command} binary>`,
      };
    const prefix = path.join(os.tmpdir(), `mcp-twin-${command}-cli-${version}`);
    bin = path.join(prefix, "bin", command);
    if (!existsSync(bin)) {
      // Installed apart and moved into place whole: test files run in parallel, and one that saw
      // the command's link while another was still installing ran a client with half its files
      // (Copilot: "no platform package found") and was skipped.
      const apart = `${prefix}.installing-${process.pid}`;
      rmSync(apart, { recursive: true, force: true });
      mkdirSync(apart, { recursive: true });
      try {
        execFileSync("npm", ["install", "-g", "--prefix", apart, `${pkg}@${version}`, ...also], {
          stdio: "pipe",
          timeout: 300_000,
          // npm's own registry setting (MCP_TWIN_NPM_REGISTRY overrides it).
          env: {
            ...process.env,
            ...(PATH ? { PATH } : {}),
            ...(process.env.MCP_TWIN_NPM_REGISTRY
              ? { npm_config_registry: process.env.MCP_TWIN_NPM_REGISTRY }
              : {}),
          },
        });
      } catch (error) {
        const why = String((error as { stderr?: Buffer }).stderr ?? error)
          .split("\n")
          .find((l) => /ERR|error/i.test(l));
        rmSync(apart, { recursive: true, force: true });
        throw new Error(`${pkg}@${version} could not be installed (no network?): ${why ?? "npm failed"}`);
      }
      try {
        renameSync(apart, prefix);
      } catch {
        // Another test file's install got there first (use that one), or an install cut short
        // by an earlier run left the folder without the command (replace it).
        if (!existsSync(bin)) {
          rmSync(prefix, { recursive: true, force: true });
          renameSync(apart, prefix);
        } else rmSync(apart, { recursive: true, force: true });
      }
    }
  }
  try {
    const out = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      timeout: versionTimeoutMs ?? 30_000,
      env: { ...process.env, ...(PATH ? { PATH } : {}) },
    });
    return { bin, version: out.trim() };
  } catch (error) {
    throw new Error(`${bin} does not run here: ${(error as Error).message.split("\n")[0]}`);
  }
}
