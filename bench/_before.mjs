// The "before" build a benchmark measures beside this one (`npm run bench -- --before <build>`):
// <build> is a built checkout (a folder holding bin/mcp-twin.js and dist/), its bin/mcp-twin.js,
// its dist/ folder, or a git revision of this repository — exported with `git archive` into
// .tmp/before/<commit> (no worktree is registered), its node_modules this checkout's, and built
// there once. A revision whose dependencies differ from this checkout's needs `npm ci` in that
// folder before it is built (delete its dist/ and run the bench again).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import path from "node:path";

/** The bin/mcp-twin.js of the build `spec` names (built first when it is a revision). */
export function beforeBuild(repo, spec) {
  const given = path.resolve(spec);
  if (existsSync(given)) {
    const bin = statSync(given).isFile()
      ? given
      : existsSync(path.join(given, "bin", "mcp-twin.js"))
        ? path.join(given, "bin", "mcp-twin.js")
        : path.join(given, "..", "bin", "mcp-twin.js");
    if (!existsSync(bin) || !existsSync(path.join(path.dirname(bin), "..", "dist")))
      throw new Error(`--before ${spec}: no built mcp-twin there (bin/mcp-twin.js beside dist/)`);
    return bin;
  }
  const git = (...args) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
  let commit;
  try {
    commit = git("rev-parse", "--verify", `${spec}^{commit}`);
  } catch {
    throw new Error(`--before ${spec}: neither a built checkout nor a revision of ${repo}`);
  }
  const dir = path.join(repo, ".tmp", "before", commit.slice(0, 12));
  const bin = path.join(dir, "bin", "mcp-twin.js");
  if (existsSync(path.join(dir, "dist", "cli.js"))) return bin;
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git archive ${commit} | tar -x -C "${dir}"`], { cwd: repo, stdio: "inherit" });
  if (!existsSync(path.join(dir, "node_modules")))
    symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
  console.log(`building ${spec} (${commit.slice(0, 12)}) in ${dir}`);
  const built = spawnSync("npm", ["run", "build"], { cwd: dir, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`--before ${spec}: its build failed (exit ${built.status})`);
  return bin;
}
