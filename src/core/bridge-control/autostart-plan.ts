/**
 * How the bridge starts at logon once servers are shared (a url entry cannot start it): which of
 * the platform's own service managers, and the file it reads. Pure: the facts come in.
 */
import type { EnvKind } from "../environments/types.js";
import type { AutostartRecord } from "../ledger/state.js";

export type { AutostartRecord } from "../ledger/state.js";

export type AutostartKind = AutostartRecord["kind"];

/** The scheduled task's name (Task Scheduler), the systemd unit's, the launchd agent's label. */
export const TASK_NAME = "mcp-twin-bridge";
export const UNIT_NAME = "mcp-twin-bridge.service";
export const AGENT_LABEL = "dev.mcp-twin.bridge";

/** Variables the bridge must see as sync sees them (where the home and its state are, the PATH). */
export const CARRIED_VARS = [
  "MCP_TWIN_HOME",
  "MCP_TWIN_BRIDGE_HOME",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "PATH",
] as const;

/** The facts the choice depends on. */
export interface AutostartFacts {
  /** The environment the bridge runs in, and mcp-twin there (native paths). */
  bridge: {
    id: string;
    kind: EnvKind;
    distro?: string | undefined;
    home: string;
    vars: Record<string, string>;
  };
  program: { node: string; script: string };
  /** Windows beside it (WSL), or the bridge's own environment (Windows): the task's side. */
  windows?: { vars: Record<string, string> } | undefined;
  /** Linux: systemd runs the user's services (`/run/systemd/system`, and `systemctl` found). */
  systemd: boolean;
  /** The variables of CARRIED_VARS that sync runs with. */
  carried: Record<string, string>;
}

export type AutostartPlan =
  | (AutostartRecord & { text: string | Buffer })
  | { kind: "none"; why: string; fix: string };

/**
 * - A bridge in WSL: a Windows logon task that runs it through `wsl.exe` — a WSL service alone
 *   would not do, as the distro does not start with Windows (only a process of the user's keeps it
 *   running: the task's `wsl.exe` is one). Where Windows cannot be reached from here, systemd's
 *   `--user` unit when the distro runs systemd.
 * - A bridge on Windows: the same task, running node.exe itself.
 * - Linux with systemd: a `--user` unit; macOS: a launchd agent.
 * - Anything else: none, said with the fix (start it with `mcp-twin bridge start`).
 */
export function planAutostart(f: AutostartFacts): AutostartPlan {
  const local = f.windows?.vars.LOCALAPPDATA;
  if ((f.bridge.kind === "wsl" && local) || f.bridge.kind === "windows") {
    if (!f.windows || !local)
      return {
        kind: "none",
        why: "Windows' profile folders could not be found from here",
        fix: "start the bridge yourself: `mcp-twin bridge start`",
      };
    return {
      kind: "windows-task",
      env: "windows",
      file: `${local.replace(/\\+$/, "")}\\mcp-twin\\bridge-task.xml`,
      name: TASK_NAME,
      text: utf16(taskXml(f)),
    };
  }
  if (f.bridge.kind === "macos")
    return {
      kind: "launchd",
      env: f.bridge.id,
      file: `${f.bridge.home}/Library/LaunchAgents/${AGENT_LABEL}.plist`,
      name: AGENT_LABEL,
      text: launchdPlist(f),
    };
  if (!f.systemd)
    return {
      kind: "none",
      why:
        f.bridge.kind === "wsl"
          ? `${f.bridge.id} has no systemd for the user's services, and Windows cannot be reached from here`
          : `${f.bridge.id} has no systemd for the user's services`,
      fix: "start it at login yourself (`mcp-twin bridge start` in your session's start-up)",
    };
  const config = f.bridge.vars.XDG_CONFIG_HOME ?? `${f.bridge.home}/.config`;
  return {
    kind: "systemd",
    env: f.bridge.id,
    file: `${config}/systemd/user/${UNIT_NAME}`,
    name: UNIT_NAME,
    text: systemdUnit(f),
  };
}

/** `serve --http` with the manifest's settings (port and host are read from it at each start). */
const SERVE = ["serve", "--http"];

function systemdUnit(f: AutostartFacts): string {
  // `%` is a specifier to systemd (`%%` is one `%`), `$` a variable in ExecStart (`$$` is one `$`).
  const quote = (a: string) => {
    const t = a.replace(/%/g, "%%");
    return /[\s"\\]/.test(t) ? `"${t.replace(/(["\\])/g, "\\$1")}"` : t;
  };
  const exec = (a: string) => quote(a).replace(/\$/g, "$$$$");
  const env = Object.entries(f.carried).map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`);
  return [
    "# Written by mcp-twin: starts its bridge (shared MCP servers) when you log in.",
    "# `mcp-twin uninstall` removes it.",
    "[Unit]",
    "Description=mcp-twin bridge (shared MCP servers)",
    "",
    "[Service]",
    `ExecStart=${[f.program.node, f.program.script, ...SERVE].map(exec).join(" ")}`,
    ...env,
    // Restarted after a crash (a signal), not after an exit: a bridge that finds another one
    // running exits 1, and restarting it would only repeat that.
    "Restart=on-abnormal",
    "RestartSec=5",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n");
}

const xml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function launchdPlist(f: AutostartFacts): string {
  const strings = (items: readonly string[]) => items.map((a) => `    <string>${xml(a)}</string>`);
  const env = Object.entries(f.carried).flatMap(([k, v]) => [
    `    <key>${xml(k)}</key>`,
    `    <string>${xml(v)}</string>`,
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    "<!-- Written by mcp-twin: starts its bridge (shared MCP servers) when you log in. `mcp-twin uninstall` removes it. -->",
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  <string>${AGENT_LABEL}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...strings([f.program.node, f.program.script, ...SERVE]),
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...env,
    "  </dict>",
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>Crashed</key>",
    "    <true/>",
    "  </dict>",
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** A Windows command line's argument, quoted as CommandLineToArgvW reads it. */
function winArg(a: string): string {
  if (a !== "" && !/[\s"]/.test(a)) return a;
  return `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/** What the task runs: conhost without a window, then wsl.exe (or node.exe) and `serve --http`. */
export function taskAction(f: AutostartFacts): { command: string; args: string[] } {
  const root = (f.windows?.vars.SystemRoot ?? f.windows?.vars.SYSTEMROOT ?? "C:\\Windows").replace(
    /\\+$/,
    "",
  );
  const inner =
    f.bridge.kind === "wsl"
      ? [
          `${root}\\System32\\wsl.exe`,
          "-d",
          f.bridge.distro ?? "",
          "--exec",
          ...(Object.keys(f.carried).length > 0
            ? ["/usr/bin/env", ...Object.entries(f.carried).map(([k, v]) => `${k}=${v}`)]
            : []),
          f.program.node,
          f.program.script,
          ...SERVE,
        ]
      : [f.program.node, f.program.script, ...SERVE];
  return { command: `${root}\\System32\\conhost.exe`, args: ["--headless", ...inner] };
}

/**
 * Task Scheduler's definition: at this user's logon (a trigger for one's own logon needs no
 * administrator), with the user's own token, no time limit (the default stops a task after three
 * days), on battery too, one instance; conhost `--headless` keeps a console window off the screen.
 */
function taskXml(f: AutostartFacts): string {
  const vars = f.windows?.vars ?? {};
  const user = `${vars.USERDOMAIN ?? vars.COMPUTERNAME ?? "."}\\${vars.USERNAME ?? ""}`;
  const action = taskAction(f);
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    "  <RegistrationInfo>",
    "    <Description>mcp-twin bridge: runs shared MCP servers once for every client. `mcp-twin uninstall` removes this task.</Description>",
    "  </RegistrationInfo>",
    "  <Triggers>",
    "    <LogonTrigger>",
    "      <Enabled>true</Enabled>",
    `      <UserId>${xml(user)}</UserId>`,
    "    </LogonTrigger>",
    "  </Triggers>",
    "  <Principals>",
    '    <Principal id="Author">',
    `      <UserId>${xml(user)}</UserId>`,
    "      <LogonType>InteractiveToken</LogonType>",
    "      <RunLevel>LeastPrivilege</RunLevel>",
    "    </Principal>",
    "  </Principals>",
    "  <Settings>",
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
    "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
    "    <AllowHardTerminate>true</AllowHardTerminate>",
    "    <StartWhenAvailable>true</StartWhenAvailable>",
    "    <AllowStartOnDemand>true</AllowStartOnDemand>",
    "    <Enabled>true</Enabled>",
    "    <Hidden>false</Hidden>",
    "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>",
    "  </Settings>",
    '  <Actions Context="Author">',
    "    <Exec>",
    `      <Command>${xml(action.command)}</Command>`,
    `      <Arguments>${xml(action.args.map(winArg).join(" "))}</Arguments>`,
    "    </Exec>",
    "  </Actions>",
    "</Task>",
    "",
  ].join("\r\n");
}

/** UTF-16LE with its byte order mark: what `schtasks /Create /XML` reads without complaint. */
function utf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
}
