/**
 * Node.js and npm per environment (pure): present, a supported version, a writable global
 * prefix, and — inside WSL — not Windows' node/npm found through the appended Windows PATH.
 */
import type { EnvFacts } from "../../environments/types.js";
import { type Check, check } from "../types.js";

export type PrefixState = "writable" | "read-only" | "missing" | "not-a-folder" | "unknown";

export interface NodeFacts {
  env: EnvFacts & { local: boolean };
  /** Servers of the manifest need this environment (missing Node is then a failure). */
  needed: boolean;
  /** Local POSIX environment: the first node / npm on PATH, as found there. */
  pathNode?: string;
  pathNpm?: string;
  /** WSL automount root (`/mnt/`), to tell Windows programs from Linux ones. */
  mountRoot?: string;
  prefix: PrefixState;
  /** The environment cannot be looked into from here (interop off): skip its checks. */
  unreachable?: string;
}

export const MIN_NODE = 18;
export const RECOMMENDED_NODE = 20;

export function checkNode(f: NodeFacts): Check[] {
  const { env } = f;
  const where = { env: env.id };
  if (f.unreachable)
    return [check("node.present", "skip", where, `cannot look at Node.js in ${env.id}: ${f.unreachable}.`)];
  const out: Check[] = [];
  const onWindows = (p: string | undefined) =>
    p !== undefined &&
    f.mountRoot !== undefined &&
    env.kind === "wsl" &&
    env.local &&
    (p.startsWith(f.mountRoot) || /\.(exe|cmd|bat)$/i.test(p));
  const bad = f.needed ? "fail" : "warn";

  if (onWindows(f.pathNode))
    out.push(
      check(
        "node.foreign",
        "fail",
        where,
        `PATH finds Windows' node (${f.pathNode}) before a Linux one: GUI-less Linux servers would run on Windows' Node through interop, or not at all.`,
        {
          fix: "Install Node.js inside WSL (nvm install --lts, or apt install nodejs npm). Keep appendWindowsPath on; Linux's node then comes first.",
        },
      ),
    );
  else if (env.kind === "wsl" && env.local)
    out.push(check("node.foreign", "pass", where, "PATH's node is Linux's own."));

  if (!env.node) {
    out.push(
      check(
        "node.present",
        bad,
        where,
        `Node.js is not installed in ${env.id}${env.reason ? ` (${env.reason})` : ""}.`,
        {
          fix:
            env.kind === "windows"
              ? "Install Node.js LTS on Windows (nodejs.org or winget install OpenJS.NodeJS.LTS)."
              : "Install Node.js there (nvm install --lts).",
        },
      ),
    );
  } else {
    out.push(
      check(
        "node.present",
        "pass",
        where,
        `node ${env.node.version ?? "(version unknown)"} at ${env.node.path}.`,
      ),
    );
    const major = Number(/^v?(\d+)/.exec(env.node.version ?? "")?.[1] ?? Number.NaN);
    if (Number.isFinite(major)) {
      if (major < MIN_NODE)
        out.push(
          check(
            "node.version",
            "fail",
            where,
            `Node ${env.node.version} is too old: MCP servers and the SDK need Node ${MIN_NODE} or newer.`,
            { fix: `Install Node.js ${RECOMMENDED_NODE} or newer (LTS).` },
          ),
        );
      else if (major < RECOMMENDED_NODE)
        out.push(
          check(
            "node.version",
            "warn",
            where,
            `Node ${env.node.version} is past its end of life; some servers need ${RECOMMENDED_NODE}+.`,
            { fix: `Install Node.js ${RECOMMENDED_NODE} or newer (LTS).` },
          ),
        );
      else out.push(check("node.version", "pass", where, `Node ${env.node.version} is supported.`));
    }
  }

  if (onWindows(f.pathNpm))
    out.push(
      check(
        "npm.foreign",
        "fail",
        where,
        `PATH finds Windows' npm (${f.pathNpm}) before a Linux one: it fails inside WSL (": not found", CRLF) and installs nothing for Linux.`,
        {
          fix: "Install npm inside WSL (nvm install --lts, or apt install npm); keep appendWindowsPath on.",
        },
      ),
    );
  else if (env.kind === "wsl" && env.local && f.pathNpm)
    out.push(check("npm.foreign", "pass", where, "PATH's npm is Linux's own."));

  if (!env.npm) {
    if (env.node || !onWindows(f.pathNpm))
      out.push(
        check(
          "npm.present",
          bad,
          where,
          `npm does not answer in ${env.id}${env.reason ? `: ${env.reason}` : ""}.`,
          {
            fix:
              env.kind === "windows"
                ? "Reinstall Node.js on Windows (it ships npm)."
                : "Install npm there (it comes with nvm's Node).",
          },
        ),
      );
    return out;
  }
  out.push(
    check(
      "npm.present",
      "pass",
      where,
      `npm ${env.npm.version ?? ""} with global prefix ${env.npm.prefix}.`.replace("  ", " "),
    ),
  );
  const prefixFix =
    env.kind === "windows"
      ? "Run `npm config set prefix %APPDATA%\\npm` on Windows."
      : "Run `npm config set prefix ~/.npm-global` and add ~/.npm-global/bin to PATH (or use nvm, whose prefix is yours).";
  if (f.prefix === "writable")
    out.push(check("npm.prefix-writable", "pass", where, `global prefix ${env.npm.prefix} is writable.`));
  else if (f.prefix === "missing")
    out.push(
      check(
        "npm.prefix-writable",
        "pass",
        where,
        `global prefix ${env.npm.prefix} does not exist yet; npm creates it on the first install.`,
      ),
    );
  else if (f.prefix === "unknown")
    out.push(
      check(
        "npm.prefix-writable",
        "skip",
        where,
        `cannot tell from here whether ${env.npm.prefix} is writable.`,
      ),
    );
  else
    out.push(
      check(
        "npm.prefix-writable",
        bad,
        where,
        f.prefix === "read-only"
          ? `global prefix ${env.npm.prefix} is not writable: npm install -g would need sudo.`
          : `global prefix ${env.npm.prefix} is not a folder.`,
        {
          fix: prefixFix,
        },
      ),
    );
  return out;
}
