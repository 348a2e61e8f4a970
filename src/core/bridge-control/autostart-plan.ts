/**
 * How the bridge starts at logon once servers are shared (a url entry cannot start it), and is kept
 * running: which of the platform's own service managers, and the files it reads. Pure.
 */

import type { EnvFacts } from "../environments/types.js";
import { ExitCode } from "../errors.js";
import { AUTOSTART_FORMAT, type AutostartRecord } from "../ledger/state.js";
import { desktopExec, SERVE, START, shellStartLine, startArgv, waitingStartArgv } from "./supervisor.js";

/** The scheduled task's name (Task Scheduler), the systemd units', the launchd agent's label. */
export const TASK_NAME = "mcp-twin-bridge";
export const SOCKET_NAME = "mcp-twin-bridge.socket";
export const UNIT_NAME = "mcp-twin-bridge.service";
export const AGENT_LABEL = "dev.mcp-twin.bridge";
/** The XDG autostart entry's file name (Linux without systemd, when the user asks for it). */
export const DESKTOP_ENTRY = "mcp-twin-bridge.desktop";

/** Variables the bridge must see as sync sees them (where the home and its state are, the PATH). */
export const CARRIED_VARS = [
  "MCP_TWIN_HOME",
  "MCP_TWIN_BRIDGE_HOME",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "PATH",
] as const;

export interface AutostartFacts {
  /** The environment the bridge runs in, and mcp-twin there (native paths). */
  bridge: Pick<EnvFacts, "id" | "kind" | "home" | "vars"> & { distro?: string | undefined };
  program: { node: string; script: string; path?: string };
  listen: { host: string; port: number };
  /** The bridge's state folder (native): the Windows loop looks there for a stop asked. */
  stateDir: string;
  /** Windows beside it (WSL), or the bridge's own environment (Windows): the task's side. */
  windows?: { vars: Record<string, string> } | undefined;
  /** Linux: systemd runs the user's services (`/run/systemd/system`, and `systemctl` found). */
  systemd: boolean;
  carried: Record<string, string>;
  desktop?: boolean;
}

/** Why the bridge does not start at logon, what to do, and a line for a shell's start-up. */
export interface NoAutostart {
  why: string;
  fix: string;
  line?: string;
}

export type AutostartPlan =
  | (AutostartRecord & {
      text: string | Buffer;
      /** Installed only when the user asks for it (the XDG entry): until then, said so. */
      offer?: NoAutostart;
      /** No desktop session seen: only a desktop runs the XDG entry, so the shell line is needed. */
      noDesktop?: NoAutostart;
      /** systemd: the service its socket unit (the record's file) starts, written beside it. */
      service?: { file: string; text: string };
    })
  | ({ kind: "none" } & NoAutostart);

/**
 * Each runs `bridge start`, whose keeper holds the port and restarts the bridge after a failure:
 * - WSL: a Windows logon task running it through `wsl.exe` (the distro does not start with Windows;
 *   the task's `wsl.exe` keeps it running); Windows out of reach: systemd's `--user` unit.
 * - Windows: the same task, running the Node keeper (Task Scheduler restarts slowly, holds no socket).
 * - Linux with systemd: a socket unit holding the port (systemdUnits); macOS: a launchd agent.
 * - Linux without systemd: an XDG autostart entry, offered (`sync --autostart`), and a shell line.
 * - Anything else: none, said with the fix.
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
    const file = `${local.replace(/\\+$/, "")}\\mcp-twin\\bridge-task.xml`;
    // UTF-16LE with its byte order mark: what `schtasks /Create /XML` reads without complaint.
    const task = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(taskXml(f), "utf16le")]);
    return way("windows-task", "windows", file, TASK_NAME, task);
  }
  const { id, home } = f.bridge;
  const agent = `${home}/Library/LaunchAgents/${AGENT_LABEL}.plist`;
  if (f.bridge.kind === "macos") return way("launchd", id, agent, AGENT_LABEL, launchdPlist(f));
  const config = f.bridge.vars.XDG_CONFIG_HOME ?? `${home}/.config`;
  if (!f.systemd) return withoutSystemd(f, config);
  const units = systemdUnits(f);
  const service = { file: `${config}/systemd/user/${UNIT_NAME}`, text: units.service };
  return {
    ...way("systemd", id, `${config}/systemd/user/${SOCKET_NAME}`, SOCKET_NAME, units.socket),
    service,
  };
}

/** A way the platform's service manager runs: its record (as state keeps it), and its file's text. */
const way = (kind: AutostartRecord["kind"], env: string, file: string, name: string, text: string | Buffer) =>
  ({ kind, env, file, name, format: AUTOSTART_FORMAT, text }) as const;

/**
 * Without systemd: the sh loop from a shell's start-up line; on Linux also an XDG autostart entry,
 * written only when the user asks, as it is a file in their desktop's settings.
 */
function withoutSystemd(f: AutostartFacts, config: string): AutostartPlan {
  const wsl = f.bridge.kind === "wsl";
  const why = `${f.bridge.id} has no systemd for the user's services${wsl ? ", and Windows cannot be reached from here" : ""}`;
  const file = `${config}/autostart/${DESKTOP_ENTRY}`;
  const keeps = "it starts the bridge when you log in, and again within seconds if it fails";
  // The login session's own variables are right here: only the home and state folders are carried.
  const own = Object.fromEntries(Object.entries(f.carried).filter(([k]) => k.startsWith("MCP_TWIN_")));
  const shell = {
    fix: `add the line below to your login shell's start-up file (~/.profile): ${keeps}${wsl ? "" : ` (with a desktop, \`mcp-twin sync --autostart\` writes an XDG autostart entry, ${file}, instead)`}`,
    line: shellStartLine(startArgv(f.program, own)),
  };
  if (wsl) return { kind: "none", why, ...shell };
  const noDesktop = { why: `${why}, and no desktop session is seen`, ...shell };
  return {
    ...way("xdg-autostart", f.bridge.id, file, DESKTOP_ENTRY, desktopEntry(f)),
    offer: f.desktop
      ? {
          why,
          fix: `\`mcp-twin sync --autostart\` writes an XDG autostart entry (${file}) that your desktop runs when you log in: it starts the bridge, and again within seconds if it fails`,
        }
      : noDesktop,
    ...(!f.desktop && {
      noDesktop: {
        why: "a desktop session runs it when you log in to one, and none is seen here",
        fix: `for a login without one, add the line below to your login shell's start-up file (~/.profile): ${keeps}`,
        line: shell.line,
      },
    }),
  };
}

function desktopEntry(f: AutostartFacts): string {
  return [
    "# Written by mcp-twin (`mcp-twin sync --autostart`): starts its bridge (shared MCP servers) when",
    "# you log in, and again within seconds if it fails. `mcp-twin uninstall` removes it.",
    "[Desktop Entry]",
    "Type=Application",
    "Name=mcp-twin bridge",
    "Comment=Runs mcp-twin's bridge (shared MCP servers) for every client",
    `Exec=${desktopExec(startArgv(f.program, f.carried))}`,
    "Terminal=false",
    "NoDisplay=true",
    "X-GNOME-Autostart-enabled=true",
    "",
  ].join("\n");
}

/**
 * systemd: a socket unit holding the port whatever becomes of the bridge, starting it on the first
 * connection (fd 3); the service restarts 1 s after a failure, never given up, but not on exit 2 or 3.
 */
function systemdUnits(f: AutostartFacts): { socket: string; service: string } {
  // `%` is a specifier to systemd (`%%` is one `%`), `$` a variable in ExecStart (`$$` is one `$`).
  const quote = (a: string) => {
    const t = a.replace(/%/g, "%%");
    return /[\s"\\]/.test(t) ? `"${t.replace(/(["\\])/g, "\\$1")}"` : t;
  };
  const exec = (a: string) => quote(a).replace(/\$/g, "$$$$");
  const { host, port } = f.listen;
  const serve = [...SERVE, "--port", String(port), "--host", host];
  const head = (what: string) => [
    `# Written by mcp-twin: ${what}. \`mcp-twin uninstall\` removes it.`,
    "[Unit]",
  ];
  return {
    socket: [
      ...head("holds its bridge's port from login and starts the bridge on it (shared MCP servers)"),
      "Description=mcp-twin bridge's port (shared MCP servers)",
      "",
      "[Socket]",
      `ListenStream=${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`,
      "",
      "[Install]",
      "WantedBy=sockets.target",
      "",
    ].join("\n"),
    service: [
      ...head(`the bridge ${SOCKET_NAME} starts`),
      "Description=mcp-twin bridge (shared MCP servers)",
      "StartLimitIntervalSec=0",
      "",
      "[Service]",
      `ExecStart=${[f.program.node, f.program.script, ...serve].map(exec).join(" ")}`,
      ...Object.entries(f.carried).map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`),
      "Restart=on-failure",
      "RestartSec=1",
      `RestartPreventExitStatus=${ExitCode.usage} ${ExitCode.bridgeRunning}`,
      "",
    ].join("\n"),
  };
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
    ...strings([f.program.node, f.program.script, ...START]),
    "  </array>",
    "  <key>EnvironmentVariables</key>",
    "  <dict>",
    ...env,
    "  </dict>",
    "  <key>RunAtLoad</key>",
    "  <true/>",
    // The start returns once the bridge answers; launchd leaves its keeper (own process group) be.
    "  <key>AbandonProcessGroup</key>",
    "  <true/>",
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

/** Windows' own folder (`%SystemRoot%`), without a trailing backslash. */
export const systemRoot = (vars: Readonly<Record<string, string>>) =>
  (vars.SystemRoot ?? vars.SYSTEMROOT ?? "C:\\Windows").replace(/\\+$/, "");

/** A Windows command line's argument, quoted as CommandLineToArgvW reads it. */
function winArg(a: string): string {
  if (a !== "" && !/[\s"]/.test(a)) return a;
  return `"${a.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/**
 * What the task runs: windowless conhost, then `wsl.exe` running the sh loop (WSL), or node.exe
 * running the keeper in the foreground (Windows: the task's job object would not keep one left behind).
 */
export function taskAction(f: AutostartFacts): { command: string; args: string[] } {
  const root = systemRoot(f.windows?.vars ?? {});
  const inner =
    f.bridge.kind === "wsl"
      ? [
          `${root}\\System32\\wsl.exe`,
          "-d",
          f.bridge.distro ?? "",
          "--exec",
          ...waitingStartArgv(f.program, f.carried, `${f.stateDir.replace(/\/+$/, "")}/keeper.json`),
        ]
      : [f.program.node, f.program.script, ...SERVE, "--keep"];
  return { command: `${root}\\System32\\conhost.exe`, args: ["--headless", ...inner] };
}

/**
 * Task Scheduler's definition: at this user's logon (no administrator needed), no time limit (the
 * default stops a task after three days), on battery too, one instance.
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
