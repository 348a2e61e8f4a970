/**
 * Which service manager starts the bridge at logon, and the file it reads: a Windows logon task for
 * a bridge in WSL or on Windows, a systemd user unit on Linux with systemd (or WSL where Windows
 * cannot be reached), a launchd agent on macOS, none (with the fix) otherwise — and the files
 * written so each reads them as meant (systemd's `%` and `$`, XML escapes, UTF-16 for schtasks).
 */
import { describe, expect, test } from "vitest";
import {
  AGENT_LABEL,
  type AutostartFacts,
  planAutostart,
  TASK_NAME,
  taskAction,
  UNIT_NAME,
} from "../../src/core/bridge-control/autostart-plan.js";
import {
  gatewayDownFix,
  gatewayDownMessage,
  sharedServerOf,
} from "../../src/core/bridge-control/gateway-down.js";

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
    expect(action.args).toEqual([
      "--headless",
      "C:\\Windows\\System32\\wsl.exe",
      "-d",
      "Ubuntu",
      "--exec",
      "/usr/bin/env",
      "PATH=/usr/bin:/mnt/c/Program Files/nodejs",
      "XDG_DATA_HOME=/home/ann/.local/share",
      "/usr/bin/node",
      "/home/ann/.npm-global/lib/node_modules/mcp-twin/bin/mcp-twin.js",
      "serve",
      "--http",
    ]);
    // The argument with a space is quoted as Windows splits a command line (the quotes XML-escaped).
    expect(xml).toContain(
      "--exec /usr/bin/env &quot;PATH=/usr/bin:/mnt/c/Program Files/nodejs&quot; XDG_DATA_HOME=",
    );
  });

  test("Windows: the task runs node.exe itself", () => {
    const f = facts({
      kind: "windows",
      program: { node: "C:\\Program Files\\nodejs\\node.exe", script: "C:\\npm\\mcp-twin.js" },
      carried: {},
    });
    expect(planAutostart(f)).toMatchObject({ kind: "windows-task", env: "windows" });
    expect(taskAction(f).args).toEqual([
      "--headless",
      "C:\\Program Files\\nodejs\\node.exe",
      "C:\\npm\\mcp-twin.js",
      "serve",
      "--http",
    ]);
  });

  test("WSL where Windows cannot be reached: systemd's user unit if it runs, else none with the fix", () => {
    expect(planAutostart(facts({ windows: undefined, systemd: true }))).toMatchObject({
      kind: "systemd",
      env: "wsl:Ubuntu",
      file: `/home/ann/.config/systemd/user/${UNIT_NAME}`,
    });
    expect(planAutostart(facts({ windows: undefined }))).toEqual({
      kind: "none",
      why: "wsl:Ubuntu has no systemd for the user's services, and Windows cannot be reached from here",
      fix: "start it at login yourself (`mcp-twin bridge start` in your session's start-up)",
    });
  });

  test("Linux with systemd: a user unit under XDG_CONFIG_HOME, restarted after a crash only, `%` and `$` kept literal", () => {
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
      file: `/home/ann/cfg/systemd/user/${UNIT_NAME}`,
    });
    if (plan.kind !== "systemd" || typeof plan.text !== "string") throw new Error("no unit");
    const lines = plan.text.split("\n");
    expect(lines).toContain(
      'ExecStart="/opt/node 20/bin/node" /home/ann/100%%/$$HOME/mcp-twin.js serve --http',
    );
    expect(lines).toContain('Environment="PATH=/usr/bin:/opt/a b"');
    expect(lines).toContain('Environment="MCP_TWIN_HOME=/home/ann/\\"x\\"%%"');
    expect(lines).toContain("Restart=on-abnormal");
    expect(lines).toContain("WantedBy=default.target");
  });

  test("Linux without systemd: none, said with the fix", () => {
    expect(planAutostart(facts({ kind: "linux", windows: undefined }))).toMatchObject({
      kind: "none",
      why: "linux has no systemd for the user's services",
    });
  });

  test("macOS: a launchd agent, run at load, restarted after a crash only, values escaped", () => {
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
    expect(plan.text).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>Crashed<\/key>\s*<true\/>/);
    expect(plan.text).toMatch(/<string>serve<\/string>\s*<string>--http<\/string>/);
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
