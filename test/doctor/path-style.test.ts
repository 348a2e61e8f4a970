/** How doctor shows paths from WSL: a Windows-drive file in its Windows form, Linux files as they are. */
import { describe, expect, test } from "vitest";
import { AS_IS, showFor } from "../../src/core/doctor/path-style.js";

const home = "/mnt/c/Users/John Smith/AppData/Roaming/mcp-twin";
const wsl = showFor({ kind: "wsl", mountRoot: "/mnt/" }, [home]);

describe("show", () => {
  test("a path: Windows form on a Windows drive, Linux form otherwise", () => {
    expect(wsl.path("/mnt/c/Windows/System32/cmd.exe")).toBe("C:\\Windows\\System32\\cmd.exe");
    expect(wsl.path("/home/bob/.claude.json")).toBe("/home/bob/.claude.json");
    expect(wsl.path("C:\\Users\\alice")).toBe("C:\\Users\\alice");
  });

  test("a text naming the home's files (spaces in the folder, line:column, a sentence's end)", () => {
    expect(wsl.text(`${home}/state.json:3:5: a record is malformed.`)).toBe(
      "C:\\Users\\John Smith\\AppData\\Roaming\\mcp-twin\\state.json:3:5: a record is malformed.",
    );
    expect(wsl.text(`cannot read ${home}/backups/abc/target.json (EACCES)`)).toBe(
      "cannot read C:\\Users\\John Smith\\AppData\\Roaming\\mcp-twin\\backups\\abc\\target.json (EACCES)",
    );
    expect(wsl.text(`the home ${home}.`)).toBe("the home C:\\Users\\John Smith\\AppData\\Roaming\\mcp-twin.");
    // Another folder that starts the same is not the home.
    expect(wsl.text(`${home}-old/x.json`)).toBe(`${home}-old/x.json`);
  });

  test("a known file given with the text; other paths are left as written", () => {
    const file = "/mnt/c/Program Files/nodejs/node.exe";
    expect(wsl.text(`could not start ${file}: not found (ENOENT)`, file)).toBe(
      "could not start C:\\Program Files\\nodejs\\node.exe: not found (ENOENT)",
    );
    expect(wsl.text("could not start /usr/bin/uvx: not found", file)).toBe(
      "could not start /usr/bin/uvx: not found",
    );
  });

  test("not in WSL: everything as it is", () => {
    expect(showFor({ kind: "linux", mountRoot: "/mnt/" }, [home]).path("/mnt/c/x")).toBe("/mnt/c/x");
    expect(showFor(undefined, [])).toBe(AS_IS);
  });
});
