/**
 * Real `npm install`s of the fixture server, and the uninstall of each, made once per run and
 * recorded — the tree npm left and what it printed — for fake machines' npm stand-ins to give back.
 */
// Why: most files install the fixture only to have it installed (about 0.45 CPU-s of npm per
// install, 250 a run). A stand-in copies a recording only for the very command recorded (same
// flags, spec and registry, no npmrc, the same npm variables, a prefix holding no package yet), so
// the tree is the one real npm makes for it; an uninstall of the fixture likewise, only from a
// prefix holding exactly a recorded install (paths, kinds, links, bytes); anything else runs the
// real npm (about 0.4 CPU-s an uninstall, 16 a run). Files that judge the
// install itself keep real npm (`realNpm` in FakeMachineOptions), as do machines of a registry of
// their own. fake-machine.ts (Linux's stand-in) and fake-windows.cjs (Windows' npm) replay.
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

/** The real npm's script, beside the node that runs the tests. */
export const REAL_NPM = realpathSync(
  path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
);

/** The flags mcp-twin installs with (src/core/packages/npm-prefix.ts), the spec after them. */
export const INSTALL_FLAGS = ["--no-fund", "--no-audit", "--loglevel=silly"];
/** The flags mcp-twin uninstalls with (npm-prefix.ts), the names after them. */
export const UNINSTALL_FLAGS = ["--loglevel=error"];

/**
 * Where each recording goes under the run's folder: `<dir>/<side>/<spec>/` holding `tree/` (the
 * prefix as npm left it), `stdout`, `stderr` (the paths of the recording as @PREFIX@, @CACHE@,
 * @HOME@, @CWD@) and `registry`; then `uninstalled/`, `uninstall.stdout` and `uninstall.stderr`,
 * the same of the uninstall that followed. A folder appears whole (renamed into place) or not at all.
 */
function recordingDir(dir: string, side: "linux" | "windows", spec: string): string {
  return path.join(dir, side, spec);
}

/** `npm <args>` with the real npm; its exit code and output. */
function npm(
  node: string,
  npmCli: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [npmCli, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every occurrence of each path replaced by its placeholder, longest path first. */
function templated(text: string, paths: Record<string, string>): string {
  let out = text;
  for (const [name, p] of Object.entries(paths).sort(([, a], [, b]) => b.length - a.length))
    out = out.split(p).join(name);
  return out;
}

/**
 * A folder to record npm in on one side, as that side's stand-in runs npm: Linux's with the fake
 * machine's variables (`npm install -g`, prefix from NPM_CONFIG_PREFIX, HOME with no .npmrc);
 * Windows' as fake-windows.cjs does (`npm install --prefix <…\npm>`, no HOME, no PATH).
 */
function recorder(dir: string, side: "linux" | "windows", registry: string) {
  const work = mkdtempSync(path.join(dir, `.${side}-`));
  const home = path.join(work, "home", "bob");
  const cache = path.join(work, "npm-cache");
  const prefix = side === "linux" ? path.join(home, ".npm-global") : path.join(work, "AppData", "npm");
  mkdirSync(side === "linux" ? path.join(prefix, "bin") : prefix, { recursive: true });
  const base = { npm_config_cache: cache, npm_config_registry: registry };
  const env: Record<string, string> =
    side === "linux"
      ? {
          ...base,
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: home,
          NPM_CONFIG_PREFIX: prefix,
          npm_config_update_notifier: "false",
          npm_config_fund: "false",
          npm_config_audit: "false",
        }
      : { ...base, NPM_CONFIG_PREFIX: "", npm_config_prefix: "", npm_config_update_notifier: "false" };
  const paths = { "@PREFIX@": prefix, "@CACHE@": cache, "@HOME@": home, "@CWD@": work };
  const done = path.join(work, "done");
  const note = (name: string, text: string) => writeFileSync(path.join(done, name), text);
  return {
    note,
    /** mcp-twin's `npm <sub> -g <flags> <spec>` as this side's stand-in runs it (Windows: --prefix). */
    async run(sub: string, flags: string[], spec: string) {
      const args = side === "linux" ? [sub, "-g", ...flags, spec] : [sub, "--prefix", prefix, ...flags, spec];
      const r = await npm(process.execPath, REAL_NPM, args, env, work);
      if (r.code !== 0) throw new Error(`recording npm ${args.join(" ")} failed (${r.code}):\n${r.stderr}`);
      return r;
    },
    /** The prefix as it is now kept as `name`/, what npm printed as `<said>stdout`, `<said>stderr`. */
    keep(name: string, r?: { stdout: string; stderr: string }, said = "") {
      cpSync(prefix, path.join(done, name), { recursive: true, verbatimSymlinks: true });
      if (r) note(`${said}stdout`, templated(r.stdout, paths));
      if (r) note(`${said}stderr`, templated(r.stderr, paths));
    },
    /** The recording put in place whole at `target`; the folder it was made in removed. */
    finish(target: string) {
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(done, target);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Record `spec` installed into an empty prefix on one side, then mcp-twin's uninstall of it. */
async function recordOne(
  dir: string,
  side: "linux" | "windows",
  spec: string,
  registry: string,
): Promise<void> {
  const rec = recorder(dir, side, registry);
  rec.keep("tree", await rec.run("install", INSTALL_FLAGS, spec));
  rec.note("registry", registry);
  const name = spec.slice(0, spec.lastIndexOf("@"));
  rec.keep("uninstalled", await rec.run("uninstall", UNINSTALL_FLAGS, name), "uninstall.");
  rec.finish(recordingDir(dir, side, spec));
}

/**
 * Record each spec on both sides, in the background of the run: a stand-in asked before its
 * recording is there runs the real npm, as without one. Resolves when all are written.
 */
export function recordInstalls(dir: string, registry: string, specs: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  return Promise.all(
    specs.flatMap((spec) =>
      (["linux", "windows"] as const).map((side) => recordOne(dir, side, spec, registry)),
    ),
  ).then(() => undefined);
}

/**
 * Lines for Linux's npm stand-in (sh), each ending in `exit` when it answers: the recorded install
 * given back when the call and the machine are as recorded, and its uninstall when the prefix holds
 * what the recording's install left (paths, kinds, links, each file's CRC); an `npm view` asked
 * before in this run answered as the real npm answered it then (it asks the same registry, which
 * holds the same packages all run long). Otherwise they do nothing and the real npm runs.
 */
export function linuxReplay(dir: string, registry: string): string[] {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // Paths put back in npm's lines, each placeholder by its value (awk: no escaping of the paths).
  const awk = [
    '{ n = split("@PREFIX@ @CACHE@ @HOME@ @CWD@", k, " ");',
    '  v[1] = ENVIRON["NPM_CONFIG_PREFIX"]; v[2] = ENVIRON["npm_config_cache"]; v[3] = ENVIRON["HOME"]; v[4] = ENVIRON["NPM_REPLAY_CWD"];',
    '  out = ""; line = $0;',
    "  while (1) { best = 0; at = 0;",
    "    for (i = 1; i <= n; i++) { p = index(line, k[i]); if (p && (!at || p < at)) { at = p; best = i } }",
    "    if (!best) break;",
    "    out = out substr(line, 1, at - 1) v[best]; line = substr(line, at + length(k[best])) }",
    "  print out line }",
  ].join(" ");
  const views = `${q(dir)}/views/linux`;
  // A folder's every path (from the folder), its kind, a link's target, a file's size and CRC
  // (two versions of a package differ in a byte of their package.json), sorted.
  const listing = (folder: string) =>
    `cd ${folder} 2>/dev/null && { ${find} . -type l -printf 'l %p %l\\n' -o -type d -printf 'd %p\\n'; ${find} . -type f -exec ${cksum} {} +; } | LC_ALL=C ${sort}`;
  // By their paths: the machine's PATH may hold none of them (a WSL PATH of the machine's own bins).
  const [env, grep, ls, mkdir, cp, awkBin, cat, sha256sum, cut, mktemp, mv, rm, find, sort, cksum] = [
    "env",
    "grep",
    "ls",
    "mkdir",
    "cp",
    "awk",
    "cat",
    "sha256sum",
    "cut",
    "mktemp",
    "mv",
    "rm",
    "find",
    "sort",
    "cksum",
  ].map((name) => q(["/usr/bin", "/bin"].map((d) => path.join(d, name)).find((p) => existsSync(p)) ?? name));
  return [
    // The machine's npm configuration, as recorded: its registry and variables, no npmrc.
    `if [ "$npm_config_registry" = ${q(registry)} ] && [ -n "$NPM_CONFIG_PREFIX" ] && [ -z "$npm_config_prefix" ] \\`,
    `  && [ -n "$npm_config_cache" ] && [ ! -e "$HOME/.npmrc" ] && [ ! -e "$NPM_CONFIG_PREFIX/etc/npmrc" ] \\`,
    `  && [ "$(${env} | ${grep} -c -i '^npm_config_')" = 6 ]; then`,
    `  if [ $# -eq 6 ] && [ "$1 $2 $3 $4 $5" = ${q(`install -g ${INSTALL_FLAGS.join(" ")}`)} ] \\`,
    `    && [ -f ${q(dir)}/linux/"$6"/registry ] \\`,
    `    && [ -z "$(${ls} -A "$NPM_CONFIG_PREFIX/lib/node_modules" 2>/dev/null)" ]; then`,
    `    rec=${q(dir)}/linux/"$6"`,
    `    ${mkdir} -p "$NPM_CONFIG_PREFIX" && ${cp} -R "$rec/tree/." "$NPM_CONFIG_PREFIX/" || exit 1`,
    // npm says process.cwd(): the folder with its links resolved.
    `    NPM_REPLAY_CWD=$(pwd -P) ${awkBin} ${q(awk)} "$rec/stderr" >&2`,
    `    ${cat} "$rec/stdout"`,
    "    exit 0",
    "  fi",
    `  if [ $# -eq 4 ] && [ "$1 $2 $3" = ${q(`uninstall -g ${UNINSTALL_FLAGS.join(" ")}`)} ]; then`,
    `    now=$(${listing('"$NPM_CONFIG_PREFIX"')})`,
    `    for rec in ${q(dir)}/linux/"$4"@*; do`,
    `      if [ -d "$rec/uninstalled" ] && [ "$now" = "$(${listing('"$rec/tree"')})" ]; then`,
    `        ${find} "$NPM_CONFIG_PREFIX" -mindepth 1 -delete && ${cp} -R "$rec/uninstalled/." "$NPM_CONFIG_PREFIX/" || exit 1`,
    `        NPM_REPLAY_CWD=$(pwd -P) ${awkBin} ${q(awk)} "$rec/uninstall.stderr" >&2`,
    `        ${cat} "$rec/uninstall.stdout"`,
    "        exit 0",
    "      fi",
    "    done",
    "  fi",
    `  if [ "$1" = view ]; then`,
    `    memo=${views}/$(printf '%s\\n' "$@" | ${sha256sum} | ${cut} -c1-32)`,
    `    if [ -f "$memo/stdout" ]; then ${cat} "$memo/stdout"; ${cat} "$memo/stderr" >&2; exit 0; fi`,
    `    ${mkdir} -p ${views} && tmp=$(${mktemp} -d ${views}/.XXXXXX) || exit 1`,
    `    ${q(process.execPath)} ${q(REAL_NPM)} "$@" >"$tmp/stdout" 2>"$tmp/stderr"`,
    "    code=$?",
    `    ${cat} "$tmp/stdout"; ${cat} "$tmp/stderr" >&2`,
    // Only an answer (exit 0) is kept; the first to finish keeps its own, the same bytes.
    `    if [ $code -ne 0 ] || ! ${mv} -T "$tmp" "$memo" 2>/dev/null; then ${rm} -rf "$tmp"; fi`,
    "    exit $code",
    "  fi",
    "fi",
  ];
}
