/**
 * What the README says holds for the package. One truth for the Node.js mcp-twin needs: `engines`
 * in package.json asks at least what every library bundled into dist/ declares, the bin's
 * start-up check accepts exactly that range, and the README says the same. The README (with the
 * docs it links) points at nothing outside the package (a development machine's folders), and
 * every link between the README and the docs reaches a file and a heading that exist. The README
 * is a landing page (at most 150 lines, every command on a row of its own, every docs page linked),
 * and a user page that ships links only to what ships with it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { expect, test } from "vitest";
import { BIN, REPO } from "../helpers/fake-machine.js";
import { importedPackages } from "../helpers/src-imports.js";

const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));
const engines: string = pkg.engines.node;

test("engines asks at least what each bundled library declares", () => {
  const libraries = importedPackages();
  expect(libraries).toContain("@inquirer/prompts");
  const short: string[] = [];
  for (const name of libraries) {
    const theirs = JSON.parse(readFileSync(path.join(REPO, "node_modules", name, "package.json"), "utf8"))
      .engines?.node as string | undefined;
    if (theirs && !semver.subset(engines, theirs)) short.push(`${name} needs ${theirs}`);
  }
  expect(short).toEqual([]);
});

test("the bin's check accepts exactly the engines range", () => {
  for (const version of [
    "20.12.0",
    "20.18.1",
    "20.19.0",
    "21.7.3",
    "22.12.0",
    "22.13.0",
    "23.6.0",
    "24.0.0",
    "25.1.0",
  ]) {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"${version}"})`,
        BIN,
        "--version",
      ],
      { encoding: "utf8" },
    );
    const accepted = r.status === 0;
    expect({ version, accepted }).toEqual({ version, accepted: semver.satisfies(version, engines) });
    if (!accepted)
      expect(r.stderr).toBe(`mcp-twin needs Node.js 20.19+, 22.13+ or 24+ (this is v${version}).\n`);
  }
});

test("the README says the same", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  expect(readme).toContain("mcp-twin needs Node.js 20.19+, 22.13+ or 24+ where you run it");
  expect(readme).not.toMatch(/Node(\.js)? 20\.(12|17)\b/);
  // This very process runs the tests: it is in range too.
  expect(
    semver.satisfies(
      execFileSync(process.execPath, ["-p", "process.versions.node"], { encoding: "utf8" }).trim(),
      engines,
    ),
  ).toBe(true);
});

test("the README and the docs it links point at nothing outside the package", () => {
  const files = [
    "README.md",
    ...readdirSync(path.join(REPO, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => path.join("docs", f)),
  ];
  const outside = files.flatMap((f) =>
    [...readFileSync(path.join(REPO, f), "utf8").matchAll(/\.\.\/shared\/|\/work\/[\w/.-]*/g)].map(
      (m) => `${f}: ${m[0]}`,
    ),
  );
  expect(outside).toEqual([]);
});

/** The README, CONTRIBUTING.md and every Markdown page under docs/ (docs/dev/ too). */
function markdownPages(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? under(path.join(dir, e.name))
        : e.name.endsWith(".md")
          ? [path.join(dir, e.name)]
          : [],
    );
  return ["README.md", "CONTRIBUTING.md", ...under("docs")];
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsIn(text: string): Set<string> {
  const prose = text.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

test("every link between the README and the docs reaches a file and a heading that exist", () => {
  const pages = markdownPages();
  expect(pages).toContain("docs/getting-started.md");
  expect(pages).toContain("docs/dev/architecture.md");
  const broken: string[] = [];
  let checked = 0;
  for (const page of pages) {
    const text = readFileSync(path.join(REPO, page), "utf8");
    const prose = text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split("#") as [string, string | undefined];
      const resolved = file === "" ? page : path.join(path.dirname(page), file);
      checked++;
      if (!existsSync(path.join(REPO, resolved))) broken.push(`${page}: ${target} (no such file)`);
      else if (
        anchor &&
        resolved.endsWith(".md") &&
        !anchorsIn(readFileSync(path.join(REPO, resolved), "utf8")).has(anchor)
      )
        broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  expect(checked).toBeGreaterThan(50);
  expect(broken).toEqual([]);
});

test("anchors are made as GitHub makes them", () => {
  expect(anchorOf("Set up: `mcp-twin init`")).toBe("set-up-mcp-twin-init");
  expect(anchorOf("Why the bridge lives in WSL, on 127.0.0.1")).toBe("why-the-bridge-lives-in-wsl-on-127001");
  expect(anchorOf("`--json`")).toBe("--json");
});

test("the README's test command is the one CI runs, and the README's run command runs", () => {
  const ci = readFileSync(path.join(REPO, ".ci/run"), "utf8");
  const ciCommands = ci.split("\n").filter((line) => /^npm /.test(line));
  expect(ciCommands).toContain("npm test");
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const shell = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].flatMap((m) => m[1]!.split("\n"));
  const testLine = shell.find((line) => /#\s*build, then every test/.test(line));
  expect(testLine?.replace(/\s*#.*$/, "")).toBe(ciCommands.at(-1));
  const runLine = shell.find((line) => line.includes("node bin/mcp-twin.js"));
  expect(runLine).toMatch(/^npm ci && npm run build && node bin\/mcp-twin\.js --help\s/);
  // What the run command ends with answers.
  const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
  expect(help.status).toBe(0);
  expect(help.stdout).toContain("Usage: mcp-twin");
});

test("the README's index links every page under docs/", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+\.md)/g)].map((m) => m[1]!));
  const pages = markdownPages().filter((p) => p.startsWith("docs/"));
  expect(pages.length).toBeGreaterThan(15);
  expect(pages.filter((p) => !linked.has(p.split(path.sep).join("/")))).toEqual([]);
});

test("the README is a landing page: at most 150 lines, every command on a line of its own", () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(150);
  const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" }).stdout;
  const commands = [...help.slice(help.indexOf("\nCommands:\n")).matchAll(/^ {2}([a-z][\w-]*)\b/gm)].map(
    (m) => m[1]!,
  );
  expect(commands).toContain("sync");
  expect(commands).toContain("logout");
  const rows = readme.split("\n").filter((line) => line.startsWith("| `mcp-twin "));
  for (const command of commands)
    expect(
      rows.filter((row) => row.startsWith(`| \`mcp-twin ${command}`)),
      command,
    ).toHaveLength(1);
});

/** A path in the repository is in the published package: `files` in package.json says (globs: `*`). */
function ships(file: string): boolean {
  const always = ["package.json", "README.md", "LICENSE"];
  return [...always, ...(pkg.files as string[])].some((entry) => {
    if (entry.includes("*"))
      return new RegExp(`^${entry.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`).test(file);
    return file === entry || file.startsWith(`${entry}/`);
  });
}

test("a user page links only to what the package ships (never to docs/dev/ or the recordings)", () => {
  expect(ships("docs/doctor.md")).toBe(true);
  expect(ships("docs/dev/recordings/wsl-sim.md")).toBe(false);
  expect(ships("CONTRIBUTING.md")).toBe(false);
  const outside: string[] = [];
  for (const page of markdownPages().filter((p) => ships(p.split(path.sep).join("/")) && p !== "README.md")) {
    const prose = readFileSync(path.join(REPO, page), "utf8")
      .replace(/^```[\s\S]*?^```/gm, "")
      .replace(/`[^`\n]*`/g, "");
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      const file = target!.split("#")[0]!;
      if (/^[a-z]+:/.test(target!) || file === "") continue;
      const resolved = path.join(path.dirname(page), file).split(path.sep).join("/");
      if (!ships(resolved)) outside.push(`${page}: ${target}`);
    }
  }
  expect(outside).toEqual([]);
});

test("the README says how to pin the gateway's port, with the setting mcp-twin reads", async () => {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  // The manifest snippet the README gives for it, taken as a manifest of its own.
  const snippet = readme.match(/`("bridge": \{ "port": \d+ \})` pins it/)?.[1];
  expect(snippet).toBeDefined();
  const { parseManifestText } = await import("../../src/core/manifest/validate.js");
  const { resolveBridgeSettings } = await import("../../src/core/bridge-control/settings.js");
  const manifest = parseManifestText(`{ "servers": {}, ${snippet} }`, "mcp-twin.jsonc");
  const pinned = Number(snippet!.match(/\d+/)![0]);
  // Whatever port the home had recorded, the pinned one wins.
  expect(resolveBridgeSettings(manifest.bridge, "mcp-twin.jsonc", { port: 7760 })).toMatchObject({
    port: pinned,
    pinned: true,
  });
});
