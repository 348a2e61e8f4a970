/**
 * Reading a launch line (src/core/entries/launch/), pure: wrappers (wsl.exe, cmd /c, shells, env), the
 * program behind them, its script, package runners, version managers, and the splitters under
 * them. Doctor and import both read launch lines through these.
 */
import { describe, expect, test } from "vitest";
import { stringMap } from "../../src/core/clients/entry-fields.js";
import {
  splitCmdLine,
  splitShellCommands,
  splitShellWords,
} from "../../src/core/entries/launch/command-lines.js";
import { nodeScript } from "../../src/core/entries/launch/node-script.js";
import { downloadsOnStart, parseRunner } from "../../src/core/entries/launch/runners.js";
import {
  cmdCall,
  envCall,
  innerProgram,
  peel,
  shellCall,
  wslCall,
} from "../../src/core/entries/launch/wrappers.js";
import { isAbsoluteAny, splitAbsolute } from "../../src/core/environments/launch-paths.js";
import { programName, underVersionManager } from "../../src/core/environments/program.js";

describe("command lines", () => {
  test("wsl.exe options", () => {
    expect(wslCall("wsl.exe", ["-d", "Ubuntu", "--exec", "/usr/bin/node", "/s.js"])).toEqual({
      distro: "Ubuntu",
      exec: true,
      command: "/usr/bin/node",
      args: ["/s.js"],
    });
    expect(wslCall("C:\\Windows\\System32\\wsl.exe", ["-u", "bob", "--", "bash", "-lc", "x"])).toMatchObject({
      user: "bob",
      exec: false,
      command: "bash",
    });
    expect(wslCall("node", [])).toBeUndefined();
  });

  test("wsl.exe ~ (start in the home folder) is an option, not the program", () => {
    expect(wslCall("wsl", ["~", "-d", "Ubuntu", "npx", "pkg"])).toEqual({
      distro: "Ubuntu",
      exec: false,
      command: "npx",
      args: ["pkg"],
    });
    expect(innerProgram("wsl.exe", ["~", "-e", "npx", "-y", "pkg"])).toEqual({
      command: "npx",
      args: ["-y", "pkg"],
    });
  });

  test("wsl.exe lines that cannot be copied faithfully say why", () => {
    expect(wslCall("wsl", ["--cd", "/srv", "npx", "pkg"])).toMatchObject({ cd: "/srv", command: "npx" });
    expect(wslCall("wsl", ["--install", "x"])).toMatchObject({
      problem: "wsl.exe option --install is not one mcp-twin understands",
      command: "--install",
    });
    expect(wslCall("wsl", ["-d"])).toEqual({ exec: false, args: [], problem: "wsl.exe -d without a value" });
    expect(peel({ command: "wsl", args: ["-d", "Ubuntu"] })).toMatchObject({
      via: "wsl",
      problem: "wsl.exe with no command",
    });
  });

  test("shells", () => {
    expect(shellCall("bash", ["-lc", "node s.js"])).toMatchObject({
      login: true,
      interactive: false,
      script: "node s.js",
    });
    expect(shellCall("/bin/bash", ["-l", "-c", "x", "a0"])).toMatchObject({
      login: true,
      script: "x",
      rest: ["a0"],
    });
    expect(shellCall("bash", ["-ic", "x"])).toMatchObject({ interactive: true });
    expect(shellCall("bash", ["--noprofile", "--norc", "-ec", "x"])).toMatchObject({
      login: false,
      script: "x",
    });
    expect(shellCall("ksh", ["-c", "x"])).toMatchObject({ shell: "ksh" });
    expect(shellCall("bash", ["script.sh"])).toBeUndefined();
    expect(shellCall("bash", ["-c"])).toBeUndefined();
  });

  test("cmd /c: its switches, one line or many words, and lines cmd.exe does more with", () => {
    expect(cmdCall("cmd.exe", ["/d", "/s", "/c", '"npx -y pkg"'])).toEqual({
      command: "npx",
      args: ["-y", "pkg"],
      plain: true,
    });
    expect(cmdCall("cmd", ["/e:on", "/C", "npx", "pkg"])).toEqual({
      command: "npx",
      args: ["pkg"],
      plain: true,
    });
    expect(cmdCall("cmd", ["/c", "npx", "pkg", "&&", "echo"])).toMatchObject({
      command: "npx",
      plain: false,
    });
    expect(cmdCall("cmd", ["/c", "%APPDATA%\\npm\\npx.cmd -y pkg"])).toEqual({
      command: "%APPDATA%\\npm\\npx.cmd",
      args: ["-y", "pkg"],
      plain: false,
    });
    expect(cmdCall("cmd", ["/c"])).toBeUndefined();
    expect(cmdCall("cmd", ["npx"])).toBeUndefined();
    expect(cmdCall("cmd", ["/c", '"npx -y pkg'])).toBeUndefined();
  });

  test("env VAR=… program", () => {
    expect(envCall("/usr/bin/env", ["FOO=1", "A=b=c", "npx", "pkg"])).toEqual({
      command: "npx",
      args: ["pkg"],
      env: { FOO: "1", A: "b=c" },
    });
    expect(envCall("env", ["FOO=1"])).toBeUndefined();
    expect(envCall("env", ["-i", "npx"])).toBeUndefined();
  });

  test("the program behind wrappers, and its script", () => {
    expect(innerProgram("cmd", ["/c", "npx", "-y", "pkg"])).toEqual({ command: "npx", args: ["-y", "pkg"] });
    expect(
      innerProgram("wsl.exe", ["-d", "U", "--exec", "sh", "-lc", 'exec "$0" "$@"', "uvx", "srv"]),
    ).toEqual({ command: "uvx", args: ["srv"] });
    expect(innerProgram("bash", ["-lc", "source ~/.nvm/nvm.sh && exec npx -y pkg"])).toEqual({
      command: "npx",
      args: ["-y", "pkg"],
    });
    expect(innerProgram("env", ["A=1", "cmd", "/c", "wsl", "bash", "-c", "FOO=2 exec node /s.js"])).toEqual({
      command: "node",
      args: ["/s.js"],
    });
    // A script that needs the shell: the shell is what runs.
    expect(innerProgram("bash", ["-c", "npx pkg | tee log"])).toEqual({
      command: "bash",
      args: ["-c", "npx pkg | tee log"],
    });
    expect(peel({ command: "bash", args: ["-c", "export A=1; exec npx pkg"] })).toEqual({
      via: "bash -c",
      inner: { command: "npx", args: ["pkg"] },
      env: { A: "1" },
    });
    expect(nodeScript("node.exe", ["--enable-source-maps", "-r", "x", "C:\\s.js", "--flag"])).toBe(
      "C:\\s.js",
    );
    expect(nodeScript("node", ["-e", "1"])).toBeUndefined();
    expect(nodeScript("python", ["s.py"])).toBeUndefined();
  });

  test("downloaders and version managers", () => {
    expect(downloadsOnStart("npx.cmd", ["-y", "p"])).toBe("npx");
    expect(downloadsOnStart("uvx", ["p"])).toBe("uvx");
    expect(downloadsOnStart("pnpm", ["dlx", "p"])).toBe("pnpm dlx");
    expect(downloadsOnStart("yarn", ["dlx", "p"])).toBe("yarn dlx");
    expect(downloadsOnStart("bun", ["x", "p"])).toBe("bun x");
    expect(downloadsOnStart("npm", ["x", "p"])).toBe("npm exec");
    expect(downloadsOnStart("node", ["s.js"])).toBeUndefined();
    expect(downloadsOnStart("pnpm", ["install"])).toBeUndefined();
    // uvx fetches on start, but it is a Python package: no npm package to install.
    expect(parseRunner("uvx", ["mcp-server-time"])).toBeUndefined();
    expect(underVersionManager("/home/u/.nvm/versions/node/v20.1.0/bin/node")).toBe("nvm");
    expect(underVersionManager("C:\\Users\\u\\AppData\\Roaming\\nvm\\v20.1.0\\node.exe")).toBe("nvm");
    expect(underVersionManager("/home/u/.volta/bin/node")).toBe("volta");
    expect(underVersionManager("/usr/bin/node")).toBeUndefined();
  });

  test("absolute paths of either side", () => {
    expect(isAbsoluteAny("C:\\x")).toBe(true);
    expect(isAbsoluteAny("\\\\wsl.localhost\\Ubuntu\\x")).toBe(true);
    expect(isAbsoluteAny("/x")).toBe(true);
    expect(isAbsoluteAny("x/y")).toBe(false);
    expect(splitAbsolute("\\\\srv\\share\\a")).toEqual({
      style: "windows",
      parts: ["\\\\srv", "share", "a"],
    });
  });
});

describe("entry fields", () => {
  test.each([
    [undefined, {}],
    [{ A: "1" }, { A: "1" }],
    [null, undefined],
    [{ A: 1 }, undefined],
    [["A=1"], undefined],
    ["A=1", undefined],
    [0, undefined],
  ])("env/headers %j → %j", (value, expected) => expect(stringMap(value)).toEqual(expected));
});

describe("tokens", () => {
  test.each([
    ["npx -y pkg", ["npx", "-y", "pkg"]],
    ['npx -y pkg "C:\\My Docs"', ["npx", "-y", "pkg", "C:\\My Docs"]],
    ['say "a""b"', ["say", 'a"b']],
    ["  spaced   out ", ["spaced", "out"]],
    ['""', [""]],
  ])("cmd line %j → %j", (line, words) => expect(splitCmdLine(line)).toEqual(words));

  test.each(["a & b", "a | b", "echo %PATH%", "a > f", '"unterminated'])("cmd line %j is refused", (line) =>
    expect(splitCmdLine(line)).toBeUndefined(),
  );

  test.each([
    ["npx -y 'a b' \"c d\" e\\ f", ["npx", "-y", "a b", "c d", "e f"]],
    ['echo "a\\"b"', ["echo", 'a"b']],
    ["a~b x=~", ["a~b", "x=~"]],
  ])("shell words %j → %j", (line, words) => expect(splitShellWords(line)).toEqual(words));

  test.each(["echo $HOME", 'echo "$HOME"', "ls *", "a > b", "a | b", "echo `x`", "~/x", "it's"])(
    "shell words %j are refused",
    (line) => expect(splitShellWords(line)).toBeUndefined(),
  );

  test.each([
    ["a && b; c", ["a", "b", "c"]],
    ["echo 'a && b'", ["echo 'a && b'"]],
    ["a\nb", ["a", "b"]],
  ])("shell commands %j → %j", (script, parts) => expect(splitShellCommands(script)).toEqual(parts));

  test.each(["a || b", "a | b", "a & b", "'open"])("shell commands %j are refused", (script) =>
    expect(splitShellCommands(script)).toBeUndefined(),
  );

  test.each([
    ["C:\\Program Files\\nodejs\\npx.cmd", "npx"],
    ["/usr/bin/node", "node"],
    ["CMD.EXE", "cmd"],
    ["Set-Thing.ps1", "set-thing"],
    ["COMMAND.COM", "command"],
  ])("program name of %s is %s", (command, name) => expect(programName(command)).toBe(name));
});
