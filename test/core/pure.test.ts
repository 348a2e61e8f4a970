/** Pure pieces: path translation, Windows output parsing, npm facts, short names, references. */
import { describe, expect, test } from "vitest";
import { envMatches } from "../../src/core/environments/env-selector.js";
import { globalModulesDir, joinNative } from "../../src/core/environments/native-paths.js";
import { parseNodeVersion, parseNpmInfo } from "../../src/core/environments/npm-info.js";
import {
  automountRootFromConf,
  isOnWindowsDrive,
  windowsToWsl,
  wslToWindows,
} from "../../src/core/environments/path-translation.js";
import { questions, readShortNames, shortForm, spacedPrefix } from "../../src/core/environments/shortname.js";
import { keepWindowsVars, parseSetOutput } from "../../src/core/environments/windows.js";
import { exactVersion, splitSpec } from "../../src/core/manifest/package-spec.js";
import { resolveString } from "../../src/core/manifest/spec.js";
import { pickBin } from "../../src/core/packages/npm-prefix.js";
import { maskText as maskSecrets } from "../../src/core/secrets/mask.js";
import { decodeWindowsOutput } from "../../src/core/system/run.js";

describe("paths across the line", () => {
  test.each([
    ["C:\\Users\\alice\\AppData", "/mnt/", "/mnt/c/Users/alice/AppData"],
    ["D:/Data/x", "/mnt/", "/mnt/d/Data/x"],
    ["C:\\", "/mnt/", "/mnt/c"],
    ["C:\\Users", "/win/", "/win/c/Users"],
    ["\\\\wsl.localhost\\Ubuntu\\home\\bob", "/mnt/", "/home/bob"],
    ["\\\\wsl$\\Ubuntu\\etc", "/mnt/", "/etc"],
  ])("%s → %s", (win, root, linux) => expect(windowsToWsl(win, root, "Ubuntu")).toBe(linux));

  test("another distro's files are not ours to open", () =>
    expect(windowsToWsl("\\\\wsl.localhost\\Debian\\x", "/mnt/", "Ubuntu")).toBeUndefined());

  test.each([
    ["/mnt/c/Users/alice", "C:\\Users\\alice"],
    ["/home/bob/.claude.json", "\\\\wsl.localhost\\Ubuntu\\home\\bob\\.claude.json"],
  ])("%s → %s", (linux, win) => expect(wslToWindows(linux, "/mnt/", "Ubuntu")).toBe(win));

  test("drive detection honours the automount root", () => {
    expect(isOnWindowsDrive("/mnt/c/Program Files/nodejs/npm", "/mnt/")).toBe(true);
    expect(isOnWindowsDrive("/mnt/wsl/x", "/mnt/")).toBe(false);
    expect(isOnWindowsDrive("/usr/bin/npm", "/mnt/")).toBe(false);
  });

  test("wsl.conf automount root", () => {
    expect(automountRootFromConf(undefined)).toBe("/mnt/");
    expect(
      automountRootFromConf("[boot]\nsystemd=true\n[automount]\nenabled = true\nroot = /win # comment\n"),
    ).toBe("/win/");
    expect(automountRootFromConf('[automount]\r\nroot="/drives/"\r\n')).toBe("/drives/");
  });

  test("native joins and prefixes", () => {
    expect(joinNative("windows", "C:\\Users\\alice\\", "AppData", "Roaming")).toBe(
      "C:\\Users\\alice\\AppData\\Roaming",
    );
    expect(globalModulesDir({ kind: "windows", npm: { prefix: "C:\\npm" } })).toBe("C:\\npm\\node_modules");
    expect(globalModulesDir({ kind: "wsl", npm: { prefix: "/home/bob/.npm-global" } })).toBe(
      "/home/bob/.npm-global/lib/node_modules",
    );
    expect(envMatches("wsl", "wsl:Ubuntu")).toBe(true);
    expect(envMatches("wsl:Debian", "wsl:Ubuntu")).toBe(false);
  });
});

describe("what Windows programs print", () => {
  test("UTF-16LE from wsl.exe -l -q, CRLF and NULs", () => {
    const out = Buffer.from("Ubuntu\r\ndocker-desktop\r\n", "utf16le");
    expect(decodeWindowsOutput(out)).toBe("Ubuntu\ndocker-desktop\n");
    expect(decodeWindowsOutput(Buffer.concat([Buffer.from([0xff, 0xfe]), out]))).toBe(
      "Ubuntu\ndocker-desktop\n",
    );
    expect(decodeWindowsOutput(Buffer.from("a\r\nb\r\n"))).toBe("a\nb\n");
  });

  test("cmd /c set", () => {
    const vars = parseSetOutput(
      decodeWindowsOutput(
        Buffer.from("APPDATA=C:\\Users\\a b\\AppData\\Roaming\r\nPath=C:\\x;C:\\y\r\nweird=a=b\r\n"),
      ),
    );
    expect(vars).toEqual({ APPDATA: "C:\\Users\\a b\\AppData\\Roaming", Path: "C:\\x;C:\\y", weird: "a=b" });
    expect(keepWindowsVars(vars)).toEqual({
      APPDATA: "C:\\Users\\a b\\AppData\\Roaming",
      PATH: "C:\\x;C:\\y",
    });
  });

  test("one npm call gives prefix, node path and versions", () => {
    const stderr = [
      "npm verbose cli C:\\Program Files\\nodejs\\node.exe C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js",
      "npm info using npm@10.9.0",
      "npm info using node@v22.11.0",
      "npm verbose title npm prefix",
    ].join("\r\n");
    expect(parseNpmInfo("C:\\Users\\alice\\AppData\\Roaming\\npm\r\n", stderr)).toEqual({
      prefix: "C:\\Users\\alice\\AppData\\Roaming\\npm",
      nodePath: "C:\\Program Files\\nodejs\\node.exe",
      nodeVersion: "v22.11.0",
      npmVersion: "10.9.0",
    });
    expect(
      parseNpmInfo("/usr\n", "npm verbose cli /usr/bin/node /usr/bin/npm\nnpm info using node@v20.20.2\n")
        .nodePath,
    ).toBe("/usr/bin/node");
    expect(parseNodeVersion("v20.20.2\r\n")).toBe("v20.20.2");
  });
});

describe("packages", () => {
  test("specs", () => {
    expect(splitSpec("@scope/pkg@^1.2.0")).toEqual({ name: "@scope/pkg", range: "^1.2.0" });
    expect(splitSpec("tavily-mcp")).toEqual({ name: "tavily-mcp", range: "" });
    expect(exactVersion("1.2.3")).toBe("1.2.3");
    expect(exactVersion("^1.2.3")).toBeUndefined();
    expect(exactVersion("latest")).toBeUndefined();
  });

  test("which bin runs", () => {
    expect(pickBin({ name: "@a/server-x", bins: { "server-x": "/s.js", other: "/o.js" } })).toBe("/s.js");
    expect(pickBin({ name: "pkg", bins: { only: "/only.js" } })).toBe("/only.js");
    expect(pickBin({ name: "pkg", bins: { a: "/a.js", b: "/b.js" } }, "b")).toBe("/b.js");
    expect(pickBin({ name: "pkg", bins: {} })).toBeUndefined();
  });
});

describe("8.3 short names, as Windows reports them", () => {
  test("only the folders up to the last one with a space need one", () => {
    expect(spacedPrefix("C:\\Program Files\\nodejs\\node.exe")).toEqual({
      prefix: "C:\\Program Files",
      rest: "nodejs\\node.exe",
    });
    expect(spacedPrefix("C:\\Users\\John Smith\\My Tools\\x.js")?.prefix).toBe(
      "C:\\Users\\John Smith\\My Tools",
    );
    expect(spacedPrefix("C:\\Users\\alice\\x.js")).toBeUndefined();
    expect(spacedPrefix("\\\\server\\a b\\x")).toBeUndefined();
  });

  test("cmd.exe's `%~sI` lines: the asked folder's short form, none (still spaces), else unrecorded", () => {
    const asked = [
      { prefix: "C:\\Program Files", path: "C:\\Program Files\\nodejs\\node.exe" },
      { prefix: "C:\\Users\\John Smith", path: "C:\\Users\\John Smith\\AppData\\npm" },
      { prefix: "D:\\My Tools\\Sub Dir", path: "D:\\My Tools\\Sub Dir\\x.js" },
      { prefix: "C:\\odd one", path: "C:\\odd one\\x" },
    ];
    // Windows also shortens folders past the asked one (node_modules): only the asked part counts.
    const output = [
      "C:\\PROGRA~1\\nodejs\\node.exe",
      "C:\\Users\\John Smith\\AppData\\npm",
      "D:\\MYTOOL~1\\Sub Dir\\x.js",
      "C:\\x",
    ].join("\r\n");
    expect(readShortNames(asked, decodeWindowsOutput(Buffer.from(output)))).toEqual({
      "c:\\program files": "C:\\PROGRA~1",
      "c:\\users\\john smith": "",
      "d:\\my tools\\sub dir": "",
    });
    // A line missing: nothing is trusted.
    expect(readShortNames(asked, "C:\\PROGRA~1\\nodejs\\node.exe\n")).toEqual({});
  });

  test("a path's form from what is known; what is still to ask", () => {
    const names = { "c:\\program files": "C:\\PROGRA~1", "c:\\users\\john smith": "" };
    expect(shortForm("C:\\Program Files\\nodejs\\node.exe", names)).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(shortForm("C:\\Users\\John Smith\\x.js", names)).toBe("none");
    expect(shortForm("C:\\Other Place\\x.js", names)).toBe("unknown");
    expect(shortForm("C:\\nospace\\x.js", names)).toBe("C:\\nospace\\x.js");
    // Known ones are not asked again, except a folder without one (it may get one later); paths
    // cmd.exe would read as syntax never are.
    expect(
      questions(
        [
          "C:\\Program Files\\a",
          "C:\\Users\\John Smith\\b",
          "C:\\Other Place\\c",
          "C:\\Other Place\\d",
          'C:\\a "b\\x',
          "C:\\100% b\\x",
          undefined,
        ],
        names,
      ),
    ).toEqual([
      { prefix: "C:\\Users\\John Smith", path: "C:\\Users\\John Smith\\b" },
      { prefix: "C:\\Other Place", path: "C:\\Other Place\\c" },
    ]);
  });
});

describe("references", () => {
  test("user scope resolves values; project scope writes the client's reference", () => {
    const ctx = { secrets: { KEY: "s3cret-value" }, env: { HOME: "/h" } };
    expect(resolveString("Bearer ${secret:KEY} at ${env:HOME}", ctx)).toEqual({
      text: "Bearer s3cret-value at /h",
      secretValues: ["s3cret-value"],
      references: [],
      missing: [],
    });
    expect(resolveString("${secret:KEY}", { ...ctx, referenceStyle: (n) => `\${env:${n}}` }).text).toBe(
      "${env:KEY}",
    );
    expect(resolveString("${secret:NOPE}", ctx).missing).toEqual([{ kind: "secret", name: "NOPE" }]);
    expect(resolveString("${workspaceFolder}", ctx).text).toBe("${workspaceFolder}");
  });

  test("masking catches the raw and the JSON-escaped spelling", () => {
    expect(maskSecrets('key "a\\"b-long"', ['a"b-long'])).toBe('key "********"');
    expect(maskSecrets("tvly-abcdef and tvly-abcdefgh", ["tvly-abcdef", "tvly-abcdefgh"])).toBe(
      "******** and ********",
    );
  });
});
