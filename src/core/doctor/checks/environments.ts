/** Where mcp-twin runs, the shared home, WSL interop, and whether each environment answers (pure). */
import type { LocalInfo } from "../../environments/local.js";
import type { EnvFacts } from "../../environments/types.js";
import { type Check, check } from "../types.js";

export interface PlatformFacts {
  local: LocalInfo;
  home: { dir: string; source: string } | { error: string };
  envs: ReadonlyArray<EnvFacts & { local: boolean }>;
}

export function checkPlatform(f: PlatformFacts): Check[] {
  const out: Check[] = [];
  const { local } = f;
  const where = { env: local.id };
  const what =
    local.kind === "wsl"
      ? `WSL ${local.wslVersion ?? 2}, distro ${local.distro}`
      : local.kind === "windows"
        ? "Windows"
        : local.kind === "macos"
          ? "macOS"
          : "Linux";
  out.push(
    check(
      "env.platform",
      "pass",
      where,
      `mcp-twin runs in ${what}; environments found: ${f.envs.map((e) => e.id).join(", ") || "none"}.`,
    ),
  );
  if ("error" in f.home)
    out.push(
      check("env.home", "fail", where, f.home.error, {
        fix: "Enable WSL interop, or set MCP_TWIN_HOME to the shared folder (e.g. /mnt/c/Users/<you>/AppData/Roaming/mcp-twin).",
      }),
    );
  else
    out.push(
      check(
        "env.home",
        "pass",
        where,
        `home ${f.home.dir}${f.home.source === "windows" ? " (shared by Windows and every WSL distro)" : f.home.source === "MCP_TWIN_HOME" ? " (from MCP_TWIN_HOME)" : ""}.`,
      ),
    );
  if (local.kind === "wsl") {
    out.push(
      local.interop
        ? check("env.interop", "pass", where, `WSL interop is on (${local.cmdExe}).`)
        : check(
            "env.interop",
            "fail",
            where,
            `${local.interopReason ?? "WSL interop is off"}: Windows' npm, node.exe and Windows clients' servers cannot be started from here (their files are still read).`,
            {
              fix: "Set [interop] enabled=true in /etc/wsl.conf, run `wsl --shutdown` from Windows, and run mcp-twin from a normal WSL shell.",
            },
          ),
    );
  }
  for (const e of f.envs) {
    if (e.local) continue;
    const unreachable =
      e.reason &&
      /could not start|interop|cannot|not available|WSL_INTEROP/i.test(e.reason) &&
      !e.node &&
      !e.npm;
    out.push(
      unreachable
        ? check("env.reachable", "fail", { env: e.id }, `${e.id} does not answer: ${e.reason}.`, {
            fix:
              e.kind === "windows"
                ? "Enable WSL interop (see env.interop)."
                : `Start the distro once (wsl -d ${e.distro ?? "<distro>"}) and check it works.`,
          })
        : check(
            "env.reachable",
            "pass",
            { env: e.id },
            `${e.id} answers${e.home ? ` (home ${e.home})` : ""}.`,
          ),
    );
  }
  return out;
}
