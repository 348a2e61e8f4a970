/**
 * Writes a fake machine's Windows stand-ins: each is a bash front (test/fixtures/fake-windows/front.sh)
 * that answers mcp-twin's every-run calls from what is precomputed here and hands the rest to
 * fake-windows.cjs, whose copies (one per program name: it dispatches on its own name) sit beside it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES =
  process.env.MCP_TWIN_REPO !== undefined
    ? path.join(process.env.MCP_TWIN_REPO, "test", "fixtures", "fake-windows")
    : fileURLToPath(new URL("../fixtures/fake-windows/", import.meta.url));
const NODE_SCRIPT = readFileSync(path.join(FIXTURES, "fake-windows.cjs"), "utf8");
const FRONT = readFileSync(path.join(FIXTURES, "front.sh"), "utf8");

/** The part of `.fake-windows.json` the front's answers come from. */
export interface StandInConfig {
  drive: string;
  log: string;
  vars: Record<string, string>;
  node: string | null;
  nodeVersion: string;
  npmVersion: string;
  npmQuietVersion?: boolean;
  npmPrefix: string;
  running: string[];
  runningSince: Record<string, string>;
  realNode: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");
const printable = (s: string) => /^[\x20-\x7e]*$/.test(s);
const tool = (name: string) =>
  ["/usr/bin", "/bin"].map((d) => path.join(d, name)).find((p) => existsSync(p)) ?? name;

/**
 * What fake-windows.cjs prints for each call the front answers, computed as it computes them (a
 * test runs every one both ways and compares the bytes).
 */
function frontData(config: StandInConfig, configText: string): string {
  const vars: [string, string | number][] = [];
  const set = (name: string, value: string | number) => vars.push([name, value]);
  set("FW_NODE", config.realNode);
  set("FW_ENV_BIN", tool("env"));
  set("FW_READLINK", tool("readlink"));
  set("FW_LOG", config.log);
  set("FW_DRIVE", config.drive);
  set("FW_CONFIG", path.join(config.drive, ".fake-windows.json"));
  set("FW_CONFIG_TEXT", configText);
  set(
    "FW_SET_OUT",
    crlf(
      Object.entries(config.vars)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    ),
  );
  const hasPaths = Object.keys(config.vars).some((k) => k.toLowerCase() === "mcp_twin_paths");
  set("FW_VARS_HAVE_PATHS", hasPaths ? 1 : 0);
  if (config.node) {
    const cli = path.win32.join(path.win32.dirname(config.node), "node_modules", "npm", "bin", "npm-cli.js");
    set("FW_NPM_PREFIX_OUT", crlf(`${config.npmPrefix}\n`));
    set(
      "FW_NPM_PREFIX_ERR",
      crlf(
        `npm verbose cli ${config.node} ${cli}\n${config.npmQuietVersion ? "" : `npm info using npm@${config.npmVersion}\n`}npm info using node@${config.nodeVersion}\nnpm verbose exit 0\nnpm info ok\n`,
      ),
    );
    set("FW_NPM_PREFIX_CODE", 0);
  } else {
    set("FW_NPM_PREFIX_OUT", "");
    set(
      "FW_NPM_PREFIX_ERR",
      crlf("'npm' is not recognized as an internal or external command,\noperable program or batch file.\n"),
    );
    set("FW_NPM_PREFIX_CODE", 1);
  }
  const running = config.running || [];
  set(
    "FW_TASKLIST_OUT",
    crlf(
      ["System Idle Process", "explorer.exe", ...running]
        .map((image, n) => `"${image}","${1000 + n}","Console","1","12,345 K"\n`)
        .join(""),
    ),
  );
  const since: Record<string, string> = config.runningSince || {};
  const names = running.map((image) => image.replace(/\.exe$/i, ""));
  const lines = running.map((image, n) => `${names[n]}|${since[image] || "2026-01-01T08:00:00.0000000Z"}`);
  set("FW_PS_PLAIN", [...running, ...lines].every(printable) ? 1 : 0);
  const text = vars.map(([k, v]) => `${k}=${typeof v === "number" ? v : q(v)}\n`).join("");
  const list = (items: string[]) => `(${items.map(q).join(" ")})`;
  return `${text}FW_PS_NAMES=${list(names.map((n) => n.toLowerCase()))}\nFW_PS_LINES=${list(lines)}\n`;
}

/**
 * The stand-ins at `files` (each named as its program), their Node script's copies and the front's
 * data in `<drive>/.fake-windows`. `configText`: `.fake-windows.json` as written.
 */
export function writeStandIns(files: string[], config: StandInConfig, configText: string): void {
  const dir = path.join(config.drive, ".fake-windows");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "front.sh"), FRONT);
  writeFileSync(path.join(dir, "data.sh"), frontData(config, configText));
  for (const file of files) {
    const name = path.basename(file);
    writeFileSync(path.join(dir, name), NODE_SCRIPT);
    writeFileSync(file, `#!/bin/bash -p\nFW_SELF=${q(name)} FW_DIR=${q(dir)}\n. "$FW_DIR/front.sh"\n`, {
      mode: 0o755,
    });
  }
}
