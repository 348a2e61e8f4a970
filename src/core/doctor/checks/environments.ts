/** Where mcp-twin runs, the shared home, WSL interop, and whether each environment answers (pure). */
import { defineCheck } from "../check-def.js";
import type { PlatformFacts } from "../facts.js";
import { type Finding, finding } from "../types.js";

/**
 * Who shares the home in %APPDATA%: inside WSL, Windows and every distro (each finds it through
 * interop); on Windows, the distros found — none said when there are none.
 */
function sharedBy(platform: PlatformFacts): string {
  if (platform.local.kind === "wsl") return " (shared by Windows and every WSL distro)";
  const distros = platform.envs.flatMap((e) => (e.kind === "wsl" && e.distro ? [e.distro] : []));
  return distros.length > 0 ? ` (shared by Windows and WSL: ${distros.join(", ")})` : "";
}

export const environmentChecks = [
  defineCheck({
    id: "env.platform",
    scope: "machine",
    doc: "where mcp-twin runs (Windows, WSL 1/2 and the distro, macOS, Linux) and the environments found.",
    fix: "",
    run: ({ platform }) => {
      if (!platform) return [];
      const { local } = platform;
      const what =
        local.kind === "wsl"
          ? `WSL ${local.wslVersion ?? 2}, distro ${local.distro}`
          : local.kind === "windows"
            ? "Windows"
            : local.kind === "macos"
              ? "macOS"
              : "Linux";
      return [
        finding(
          "pass",
          { env: local.id },
          `mcp-twin runs in ${what}; environments found: ${platform.envs.map((e) => e.id).join(", ") || "none"}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "env.home",
    scope: "machine",
    doc: "the shared home (manifest, secrets, state) cannot be found (from WSL: needs %APPDATA%).",
    fix: "enable WSL interop, or set `MCP_TWIN_HOME`.",
    run: ({ homeError, platform }, show) => {
      if (homeError)
        return [
          finding("fail", {}, show.text(homeError.message), {
            fix: homeError.fix ?? "Enable WSL interop, or set `MCP_TWIN_HOME`.",
          }),
        ];
      if (!platform) return [];
      const { home } = platform;
      return [
        finding(
          "pass",
          { env: platform.local.id },
          `home ${show.path(home.dir)}${home.source === "windows" ? sharedBy(platform) : home.source === "MCP_TWIN_HOME" ? " (from MCP_TWIN_HOME)" : ""}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "env.interop",
    scope: "machine",
    doc: "inside WSL, Windows programs cannot be started (interop off, `WSL_INTEROP` unset under sudo/systemd, no cmd.exe).",
    fix: "`[interop] enabled=true` in /etc/wsl.conf, `wsl --shutdown`, run from a normal shell.",
    run: ({ platform }, show) => {
      const local = platform?.local;
      if (local?.kind !== "wsl") return [];
      const where = { env: local.id };
      return [
        local.interop
          ? finding("pass", where, `WSL interop is on${local.cmdExe ? ` (${show.path(local.cmdExe)})` : ""}.`)
          : finding(
              "fail",
              where,
              `${local.interopReason ?? "WSL interop is off"}: Windows' npm, node.exe and Windows clients' servers cannot be started from here (their files are still read).`,
              {
                fix: "Set [interop] enabled=true in /etc/wsl.conf, run `wsl --shutdown` from Windows, and run mcp-twin from a normal WSL shell.",
              },
            ),
      ];
    },
  }),
  defineCheck({
    id: "env.reachable",
    scope: "machine",
    doc: "another environment (Windows from WSL, a distro from Windows) does not answer.",
    fix: "enable interop / start the distro once.",
    run: ({ platform, detectError }, show) => {
      const out: Finding[] = [];
      // What went wrong may name the cmd.exe this process started.
      const cmdExe = platform?.local.cmdExe;
      if (detectError)
        out.push(
          finding(
            "fail",
            { env: "windows" },
            `Windows could not be looked at: ${show.text(detectError, cmdExe)}.`,
            {
              fix: "Check WSL interop (see env.interop).",
            },
          ),
        );
      for (const e of platform?.envs ?? []) {
        if (e.local) continue;
        const reason = e.reason;
        const unreachable =
          reason &&
          /could not start|interop|cannot|not available|WSL_INTEROP/i.test(reason) &&
          !e.node &&
          !e.npm;
        out.push(
          unreachable
            ? finding("fail", { env: e.id }, `${e.id} does not answer: ${show.text(reason, cmdExe)}.`, {
                fix:
                  e.kind === "windows"
                    ? "Enable WSL interop (see env.interop)."
                    : `Start the distro once (wsl -d ${e.distro ?? "<distro>"}) and check it works.`,
              })
            : finding("pass", { env: e.id }, `${e.id} answers${e.home ? ` (home ${e.home})` : ""}.`),
        );
      }
      return out;
    },
  }),
] as const;
