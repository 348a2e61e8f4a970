/** Reading launch command lines: wrappers, scripts, downloaders, version managers. */
import { describe, expect, test } from "vitest";
import {
  cmdCall,
  downloadsOnStart,
  innerProgram,
  nodeScript,
  shellCall,
  underVersionManager,
  wslCall,
} from "../../src/core/doctor/command.js";

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
    expect(shellCall("bash", ["script.sh"])).toBeUndefined();
  });

  test("the program behind wrappers, and its script", () => {
    expect(innerProgram("cmd", ["/c", "npx", "-y", "pkg"])).toEqual({ command: "npx", args: ["-y", "pkg"] });
    expect(cmdCall("cmd.exe", ["/d", "/s", "/c", '"npx -y pkg"'])).toEqual({
      command: "npx",
      args: ["-y", "pkg"],
    });
    expect(
      innerProgram("wsl.exe", ["-d", "U", "--exec", "sh", "-lc", 'exec "$0" "$@"', "uvx", "srv"]),
    ).toEqual({ command: "uvx", args: ["srv"] });
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
    expect(downloadsOnStart("node", ["s.js"])).toBeUndefined();
    expect(underVersionManager("/home/u/.nvm/versions/node/v20.1.0/bin/node")).toBe("nvm");
    expect(underVersionManager("C:\\Users\\u\\AppData\\Roaming\\nvm\\v20.1.0\\node.exe")).toBe("nvm");
    expect(underVersionManager("/home/u/.volta/bin/node")).toBe("volta");
    expect(underVersionManager("/usr/bin/node")).toBeUndefined();
  });
});
