/**
 * Which service manager starts the bridge at logon, and the file it reads: a Windows logon task for
 * a bridge in WSL or on Windows, a systemd user unit on Linux with systemd (or WSL where Windows
 * cannot be reached), a launchd agent on macOS, an XDG autostart entry offered on Linux without
 * systemd, a line for the shell's start-up otherwise — and the files written so each reads them as
 * meant (systemd's `%` and `$`, XML escapes, UTF-16 for schtasks, cmd's `%`, a desktop entry's
 * escapes). Each restarts a bridge that failed within seconds, never one that exited 0 or 3.
 */
import { describe, expect, test } from "vitest";
import {
  AGENT_LABEL,
  type AutostartFacts,
  type AutostartPlan,
  DESKTOP_ENTRY,
  planAutostart,
  SOCKET_NAME,
  TASK_NAME,
  taskAction,
  UNIT_NAME,
} from "../../src/core/bridge-control/autostart-plan.js";
import {
  gatewayDownFix,
  gatewayDownMessage,
  sharedServerOf,
} from "../../src/core/bridge-control/gateway-down.js";
import { KEEP_LOOP, WAIT_LOOP } from "../../src/core/bridge-control/supervisor.js";

const WINDOWS = {
  vars: {
    LOCALAPPDATA: "C:\\Users\\Ann Lee\\AppData\\Local",
    SystemRoot: "C:\\Windows",
    USERNAME: "Ann Lee",
    USERDOMAIN: "DESKTOP-1",
  },
};

function facts(
  over: Partial<AutostartFacts> & { kind?: AutostartFacts["bridge"]["kind"] } = {},
): AutostartFacts {
  const kind = over.kind ?? "wsl";
  return {
    bridge: {
      id: kind === "wsl" ? "wsl:Ubuntu" : kind,
      kind,
      distro: kind === "wsl" ? "Ubuntu" : undefined,
      home: kind === "macos" ? "/Users/ann" : "/home/ann",
      vars: {},
    },
    program: {
      node: "/usr/bin/node",
      script: "/home/ann/.npm-global/lib/node_modules/mcp-twin/bin/mcp-twin.js",
    },
    listen: { host: "127.0.0.1", port: 47823 },
    stateDir:
      kind === "windows"
        ? "C:\\Users\\Ann Lee\\AppData\\Local\\mcp-twin\\bridge"
        : "/home/ann/.local/share/mcp-twin/bridge",
    windows: WINDOWS,
    systemd: false,
    carried: { PATH: "/usr/bin:/mnt/c/Program Files/nodejs", XDG_DATA_HOME: "/home/ann/.local/share" },
    ...over,
  };
}

const utf16 = (b: string | Buffer) => {
  if (typeof b === "string") throw new Error("expected the task's UTF-16 bytes");
  expect([...b.subarray(0, 2)]).toEqual([0xff, 0xfe]);
  return b.subarray(2).toString("utf16le");
};

describe("planAutostart", () => {
  test("WSL: a Windows logon task that runs the bridge through wsl.exe, without a window, for ever", () => {
    const plan = planAutostart(facts());
    expect(plan).toMatchObject({
      kind: "windows-task",
      env: "windows",
      file: "C:\\Users\\Ann Lee\\AppData\\Local\\mcp-twin\\bridge-task.xml",
      name: TASK_NAME,
    });
    if (plan.kind !== "windows-task") throw new Error(plan.kind);
    const xml = utf16(plan.text);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>')).toBe(true);
    expect(xml).toContain("<UserId>DESKTOP-1\\Ann Lee</UserId>");
    expect(xml).toContain("<LogonType>InteractiveToken</LogonType>");
    expect(xml).toContain("<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>");
    expect(xml).toContain("<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>");
    expect(xml.split("\r\n").length).toBeGreaterThan(10);
    const action = taskAction(facts());
    expect(action.command).toBe("C:\\Windows\\System32\\conhost.exe");
    // wsl.exe runs `bridge start` in the distro (its keeper then keeps the bridge running), and
    // waits as long as that keeper runs: the distro lives while a Windows program holds it.
    expect(action.args).toEqual([
      "--headless",
      "C:\\Windows\\System32\\wsl.exe",
      "-d",
      "Ubuntu",
      "--exec",
      "/usr/bin/env",
      "PATH=/usr/bin:/mnt/c/Program Files/nodejs",
      "XDG_DATA_HOME=/home/ann/.local/share",
      "/bin/sh",
      "-c",
      WAIT_LOOP,
      "mcp-twin-bridge",
      "/home/ann/.local/share/mcp-twin/bridge/keeper.json",
      "/usr/bin/node",
      "/home/ann/.npm-global/lib/node_modules/mcp-twin/bin/mcp-twin.js",
      "bridge",
      "start",
    ]);
    // Arguments with a space or a quote are quoted as Windows splits a command line (its quotes
    // XML-escaped): the loop's own quotes as \", which conhost and wsl.exe read back.
    expect(xml).toContain(
      "--exec /usr/bin/env &quot;PATH=/usr/bin:/mnt/c/Program Files/nodejs&quot; XDG_DATA_HOME=",
    );
    expect(xml).toContain(
      "/bin/sh -c &quot;k=$1; shift; \\&quot;$@\\&quot;; s=$?; w=; while p=$(sed -n 's/^{\\&quot;pid\\&quot;:",
    );
  });

  test("the keeper: holds the socket for ever, restarts on any end but exit 0 (a stop), 3 (another runs) and a stop asked, after 1, 2, 4, then 5 s; 4 at once", () => {
    expect(KEEP_LOOP).toBe(
      'd=$1; shift; p=1; while :; do "$@"; s=$?; case $s in 0|3) exit $s;; 4) p=1; continue;; esac; [ -e "$d/stop-requested" ] && exit 0; [ -e "$d/serve.json" ] || exit $s; sleep $p; p=$((p < 3 ? p * 2 : 5)); [ -e "$d/stop-requested" ] && exit 0; done',
    );
  });

  test("Windows: the task runs the bridge's Node keeper in the foreground, each path quoted as node.exe reads it; nothing beside it", () => {
    const f = facts({
      kind: "windows",
      program: {
        node: "C:\\Program Files\\nodejs\\node.exe",
        script: "C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\mcp-twin\\bin\\mcp-twin.js",
      },
      stateDir: "C:\\Users\\Ann Lee\\100% (a&b)\\bridge\\",
      carried: {},
    });
    const plan = planAutostart(f);
    const folder = "C:\\Users\\Ann Lee\\AppData\\Local\\mcp-twin";
    expect(plan).toMatchObject({ kind: "windows-task", env: "windows", file: `${folder}\\bridge-task.xml` });
    if (plan.kind !== "windows-task") throw new Error(plan.kind);
    expect(taskAction(f)).toEqual({
      command: "C:\\Windows\\System32\\conhost.exe",
      args: [
        "--headless",
        "C:\\Program Files\\nodejs\\node.exe",
        "C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\mcp-twin\\bin\\mcp-twin.js",
        "serve",
        "--http",
        "--keep",
      ],
    });
    const xml = utf16(plan.text);
    expect(xml).toContain(
      "<Arguments>--headless &quot;C:\\Program Files\\nodejs\\node.exe&quot; &quot;C:\\Users\\Ann Lee\\AppData\\Roaming\\npm\\node_modules\\mcp-twin\\bin\\mcp-twin.js&quot; serve --http --keep</Arguments>",
    );
    expect(xml).not.toContain("<WorkingDirectory>");
  });

  test("WSL where Windows cannot be reached: systemd's user unit if it runs, else none with the fix", () => {
    expect(planAutostart(facts({ windows: undefined, systemd: true }))).toMatchObject({
      kind: "systemd",
      env: "wsl:Ubuntu",
      file: `/home/ann/.config/systemd/user/${SOCKET_NAME}`,
    });
    expect(
      planAutostart(
        facts({ windows: undefined, carried: { PATH: "/usr/bin", MCP_TWIN_HOME: "/home/ann/it's" } }),
      ),
    ).toEqual({
      kind: "none",
      why: "wsl:Ubuntu has no systemd for the user's services, and Windows cannot be reached from here",
      fix: "add the line below to your login shell's start-up file (~/.profile): it starts the bridge when you log in, and again within seconds if it fails",
      // Its own session, away from the terminal; only mcp-twin's own variables carried (the login's
      // PATH is the session's own).
      line: `(setsid /usr/bin/env 'MCP_TWIN_HOME=/home/ann/it'\\''s' /usr/bin/node /home/ann/.npm-global/lib/node_modules/mcp-twin/bin/mcp-twin.js bridge start </dev/null >/dev/null 2>&1 &)`,
    });
  });

  test("Linux with systemd: a socket unit under XDG_CONFIG_HOME that holds the port, and the service it starts on it (serve --http, restarted after a failure), `%` and `$` kept literal", () => {
    const f = facts({
      kind: "linux",
      windows: undefined,
      systemd: true,
      program: { node: "/opt/node 20/bin/node", script: "/home/ann/100%/$HOME/mcp-twin.js" },
      carried: { PATH: "/usr/bin:/opt/a b", MCP_TWIN_HOME: '/home/ann/"x"%' },
    });
    f.bridge.vars = { XDG_CONFIG_HOME: "/home/ann/cfg" };
    const plan = planAutostart(f);
    expect(plan).toMatchObject({
      kind: "systemd",
      env: "linux",
      file: `/home/ann/cfg/systemd/user/${SOCKET_NAME}`,
      name: SOCKET_NAME,
      format: 6, // kept in state: an installed unit of an older format is written again
      service: { file: `/home/ann/cfg/systemd/user/${UNIT_NAME}` },
    });
    if (plan.kind !== "systemd" || typeof plan.text !== "string" || !plan.service) throw new Error("no unit");
    // The socket unit binds the port the entries name, at the manager's start (login).
    const socket = plan.text.split("\n");
    expect(socket).toContain("ListenStream=127.0.0.1:47823");
    expect(socket).toContain("WantedBy=sockets.target");
    const lines = plan.service.text.split("\n");
    expect(lines).toContain(
      'ExecStart="/opt/node 20/bin/node" /home/ann/100%%/$$HOME/mcp-twin.js serve --http --port 47823 --host 127.0.0.1',
    );
    expect(lines).toContain('Environment="PATH=/usr/bin:/opt/a b"');
    expect(lines).toContain('Environment="MCP_TWIN_HOME=/home/ann/\\"x\\"%%"');
    // Started again after a failure, never given up; not after a bad setting or a bridge running.
    expect(lines).toContain("Restart=on-failure");
    expect(lines).toContain("StartLimitIntervalSec=0");
    expect(lines).toContain("RestartPreventExitStatus=2 3");
    expect(lines.some((l) => l.startsWith("WantedBy"))).toBe(false);
    // An IPv6 host is bracketed.
    const v6 = planAutostart({ ...f, listen: { host: "::1", port: 47823 } });
    expect(v6.kind === "systemd" && v6.text).toContain("ListenStream=[::1]:47823");
  });

  test("Linux without systemd: an XDG autostart entry running `bridge start`, offered, never written unasked", () => {
    const f = facts({
      kind: "linux",
      windows: undefined,
      desktop: true,
      program: { node: "/opt/node 20/bin/node", script: '/home/ann/a"b$c`d\\e 100%/mcp-twin.js' },
      carried: { PATH: "/usr/bin:/opt/a b", MCP_TWIN_HOME: "/home/ann/h" },
    });
    const plan: AutostartPlan = planAutostart(f);
    const file = `/home/ann/.config/autostart/${DESKTOP_ENTRY}`;
    expect(plan).toMatchObject({
      kind: "xdg-autostart",
      env: "linux",
      file,
      name: DESKTOP_ENTRY,
      offer: {
        why: "linux has no systemd for the user's services",
        fix: `\`mcp-twin sync --autostart\` writes an XDG autostart entry (${file}) that your desktop runs when you log in: it starts the bridge, and again within seconds if it fails`,
      },
    });
    if (plan.kind !== "xdg-autostart" || typeof plan.text !== "string") throw new Error(plan.kind);
    const lines = plan.text.split("\n");
    expect(lines).toContain("[Desktop Entry]");
    expect(lines).toContain("Type=Application");
    // Quoted per the Desktop Entry Specification: `"` `` ` `` `$` `\` escaped in quotes, then every
    // `\` doubled again (the value's own escapes are read first), `%` doubled.
    expect(lines).toContain(
      `Exec=/usr/bin/env "PATH=/usr/bin:/opt/a b" MCP_TWIN_HOME=/home/ann/h "/opt/node 20/bin/node" "/home/ann/a\\\\"b\\\\$c\\\\\`d\\\\\\\\e 100%%/mcp-twin.js" bridge start`,
    );
    // No desktop seen (a console, ssh): the shell's start-up line, the entry named for a desktop.
    const console = planAutostart({ ...f, desktop: false });
    expect(console).toMatchObject({
      kind: "xdg-autostart",
      offer: {
        why: "linux has no systemd for the user's services, and no desktop session is seen",
        fix: `add the line below to your login shell's start-up file (~/.profile): it starts the bridge when you log in, and again within seconds if it fails (with a desktop, \`mcp-twin sync --autostart\` writes an XDG autostart entry, ${file}, instead)`,
        line: `(setsid /usr/bin/env MCP_TWIN_HOME=/home/ann/h '/opt/node 20/bin/node' '/home/ann/a"b$c\`d\\e 100%/mcp-twin.js' bridge start </dev/null >/dev/null 2>&1 &)`,
      },
    });
  });

  test("macOS: a launchd agent, run at load, that runs `bridge start` and leaves its keeper, values escaped", () => {
    const f = facts({ kind: "macos", windows: undefined, carried: { MCP_TWIN_HOME: "/Users/ann/a&b<c>" } });
    const plan = planAutostart(f);
    expect(plan).toMatchObject({
      kind: "launchd",
      env: "macos",
      file: `/Users/ann/Library/LaunchAgents/${AGENT_LABEL}.plist`,
      name: AGENT_LABEL,
    });
    if (plan.kind !== "launchd" || typeof plan.text !== "string") throw new Error("no plist");
    expect(plan.text).toContain("<string>/Users/ann/a&amp;b&lt;c&gt;</string>");
    expect(plan.text).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    // Its keeper (in a process group of its own) keeps the bridge running, not launchd.
    expect(plan.text).not.toContain("KeepAlive");
    expect(plan.text).toMatch(/<key>AbandonProcessGroup<\/key>\s*<true\/>/);
    expect(plan.text).toMatch(/<string>bridge<\/string>\s*<string>start<\/string>\s*<\/array>/);
  });
});

describe("a gateway that is down", () => {
  test("the client's error names the shared server and the fix; doctor's fix names what is installed", () => {
    const url = new URL("http://127.0.0.1:7760/share/tavily%20x");
    expect(sharedServerOf(url)).toBe("tavily x");
    expect(sharedServerOf(new URL("http://127.0.0.1:7760/mcp"))).toBeUndefined();
    expect(gatewayDownMessage(url, "nothing answers there (connection refused)")).toBe(
      'mcp-twin: the gateway that runs the shared server "tavily x" is not running at http://127.0.0.1:7760 (nothing answers there (connection refused)). Fix: run `mcp-twin sync`: it starts the gateway now and installs its start at logon (or `mcp-twin bridge start` for this time only).',
    );
    expect(
      gatewayDownFix({
        kind: "systemd",
        env: "linux",
        file: "/home/ann/.config/systemd/user/x.service",
        name: UNIT_NAME,
      }),
    ).toBe(
      'run `mcp-twin bridge start`; at logon the systemd user unit "mcp-twin-bridge.service" (/home/ann/.config/systemd/user/x.service) starts it — if it did not, `mcp-twin sync` installs it again and `mcp-twin bridge status` shows its log',
    );
  });
});
