/**
 * Node.js and npm per environment (pure): present, a supported version, a writable global
 * prefix, and — inside WSL — not Windows' node/npm found through the appended Windows PATH.
 */

import { installAdvice, npmAdvice } from "../../environments/program-hints.js";
import { defineCheck } from "../check-def.js";
import type { NodeFacts } from "../facts.js";
import { finding } from "../types.js";

const MIN_NODE = 18;
const RECOMMENDED_NODE = 20;

/** Inside WSL: a program found on the appended Windows PATH (under /mnt/c, or a .exe/.cmd). */
function onWindows(f: NodeFacts, p: string | undefined): boolean {
  return (
    p !== undefined &&
    f.mountRoot !== undefined &&
    f.env.kind === "wsl" &&
    f.env.local &&
    (p.startsWith(f.mountRoot) || /\.(exe|cmd|bat)$/i.test(p))
  );
}

const bad = (f: NodeFacts) => (f.needed ? "fail" : "warn");

export const nodeChecks = [
  defineCheck({
    id: "node.present",
    scope: "environment",
    doc: "no Node.js in an environment (fail when a manifest package must run there).",
    fix: "install Node.js LTS there.",
    run: (f, show) => {
      const { env } = f;
      const where = { env: env.id };
      if (f.unreachable)
        return [finding("skip", where, `cannot look at Node.js in ${env.id}: ${f.unreachable}.`)];
      if (!env.node)
        return [
          finding(
            bad(f),
            where,
            `Node.js is not installed in ${env.id}${env.reason ? ` (${show.text(env.reason, f.pathNode, f.pathNpm)})` : ""}.`,
            {
              fix: installAdvice("node", env),
            },
          ),
        ];
      return [
        finding(
          "pass",
          where,
          `node ${env.node.version ?? "(version unknown)"} at ${show.path(env.node.path)}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "node.version",
    scope: "environment",
    doc: `Node older than ${MIN_NODE} (fail) or ${MIN_NODE}.x (warn, end of life).`,
    fix: `install Node ${RECOMMENDED_NODE}+.`,
    run: (f) => {
      const { env } = f;
      if (f.unreachable || !env.node) return [];
      const where = { env: env.id };
      const major = Number(/^v?(\d+)/.exec(env.node.version ?? "")?.[1] ?? Number.NaN);
      if (!Number.isFinite(major)) return [];
      if (major < MIN_NODE)
        return [
          finding(
            "fail",
            where,
            `Node ${env.node.version} is too old: MCP servers and the SDK need Node ${MIN_NODE} or newer.`,
            { fix: `Install Node.js ${RECOMMENDED_NODE} or newer (LTS).` },
          ),
        ];
      if (major < RECOMMENDED_NODE)
        return [
          finding(
            "warn",
            where,
            `Node ${env.node.version} is past its end of life; some servers need ${RECOMMENDED_NODE}+.`,
            { fix: `Install Node.js ${RECOMMENDED_NODE} or newer (LTS).` },
          ),
        ];
      return [finding("pass", where, `Node ${env.node.version} is supported.`)];
    },
  }),
  defineCheck({
    id: "node.foreign",
    scope: "environment",
    doc: "inside WSL, PATH finds Windows' `node.exe` (appended Windows PATH) before a Linux node.",
    fix: "install Node inside WSL (nvm); keep appendWindowsPath on.",
    run: (f, show) => {
      const { env } = f;
      if (f.unreachable) return [];
      const where = { env: env.id };
      if (f.pathNode !== undefined && onWindows(f, f.pathNode))
        return [
          finding(
            "fail",
            where,
            `PATH finds Windows' node (${show.path(f.pathNode)}) before a Linux one: GUI-less Linux servers would run on Windows' Node through interop, or not at all.`,
            {
              fix: `${installAdvice("node", env)} Keep appendWindowsPath on; Linux's node then comes first.`,
            },
          ),
        ];
      return env.kind === "wsl" && env.local ? [finding("pass", where, "PATH's node is Linux's own.")] : [];
    },
  }),
  defineCheck({
    id: "npm.present",
    scope: "environment",
    doc: "npm does not answer or reports no global prefix. When the cause is Windows' npm first on the WSL PATH, that one cause is reported once, as `npm.foreign`.",
    fix: "install / repair npm there.",
    run: (f, show) => {
      const { env } = f;
      if (f.unreachable) return [];
      const where = { env: env.id };
      if (!env.npm) {
        // Windows' npm answering for Linux is npm.foreign's finding: one cause, one finding.
        if (onWindows(f, f.pathNpm)) return [];
        return [
          finding(
            bad(f),
            where,
            `npm does not answer in ${env.id}${env.reason ? `: ${show.text(env.reason, f.pathNode, f.pathNpm)}` : ""}.`,
            {
              fix:
                env.kind === "windows"
                  ? "Reinstall Node.js on Windows (it ships npm)."
                  : npmAdvice(env, Boolean(env.node)),
            },
          ),
        ];
      }
      return [
        finding(
          "pass",
          where,
          env.npm.version
            ? `npm ${env.npm.version} with global prefix ${show.path(env.npm.prefix)}.`
            : // Asked by doctor when the look at the environment did not learn it (gather/collect.ts): an
              // npm that answers the prefix but not `--version` is still an npm that works.
              `npm answers, with global prefix ${show.path(env.npm.prefix)}.`,
        ),
      ];
    },
  }),
  defineCheck({
    id: "npm.foreign",
    scope: "environment",
    doc: "inside WSL, PATH finds Windows' `npm` (a CRLF script that fails: `: not found`), so npm does not answer for Linux.",
    fix: "install npm inside WSL with nvm (the distribution's `npm` package brings a Node.js older than MCP servers need); keep appendWindowsPath on.",
    run: (f, show) => {
      const { env } = f;
      if (f.unreachable) return [];
      const where = { env: env.id };
      if (f.pathNpm !== undefined && onWindows(f, f.pathNpm))
        return [
          finding(
            "fail",
            where,
            `PATH finds Windows' npm (${show.path(f.pathNpm)}) before a Linux one: it fails inside WSL (": not found", CRLF) and installs nothing for Linux${env.npm ? "" : `, so npm does not answer in ${env.id}`}.`,
            {
              fix: npmAdvice(env, Boolean(env.node)),
            },
          ),
        ];
      return env.kind === "wsl" && env.local && f.pathNpm
        ? [finding("pass", where, "PATH's npm is Linux's own.")]
        : [];
    },
  }),
  defineCheck({
    id: "npm.prefix-writable",
    scope: "environment",
    doc: "npm's global prefix is not a writable folder (`npm i -g` would need sudo).",
    fix: "`npm config set prefix ~/.npm-global` (or use nvm).",
    run: (f, show) => {
      const { env } = f;
      if (f.unreachable || !env.npm) return [];
      const where = { env: env.id };
      const prefix = show.path(env.npm.prefix);
      if (f.prefix === "writable") return [finding("pass", where, `global prefix ${prefix} is writable.`)];
      if (f.prefix === "missing")
        return [
          finding(
            "pass",
            where,
            `global prefix ${prefix} does not exist yet; npm creates it on the first install.`,
          ),
        ];
      if (f.prefix === "unknown")
        return [finding("skip", where, `cannot tell from here whether ${prefix} is writable.`)];
      return [
        finding(
          bad(f),
          where,
          f.prefix === "read-only"
            ? `global prefix ${prefix} is not writable: npm install -g would need sudo.`
            : `global prefix ${prefix} is not a folder.`,
          {
            fix:
              env.kind === "windows"
                ? "Run `npm config set prefix %APPDATA%\\npm` on Windows."
                : "Run `npm config set prefix ~/.npm-global` and add ~/.npm-global/bin to PATH (or use nvm, whose prefix is yours).",
          },
        ),
      ];
    },
  }),
] as const;
