/**
 * One npm call tells us four facts (the global prefix, and the node and npm it ran on), which keeps a
 * cold look at the Windows side to two interop calls.
 */
export interface NpmInfo {
  prefix?: string;
  nodePath?: string;
  nodeVersion?: string;
  npmVersion?: string;
}

export const NPM_INFO_ARGS = ["prefix", "-g", "--loglevel=verbose"] as const;

/**
 * `npm prefix -g --loglevel=verbose` prints the global prefix on stdout and, on stderr, the node
 * and npm it ran on (`npm verbose cli <node> <npm-cli.js>`, `npm info using node@v20.x`,
 * `npm info using npm@11.x`).
 */
export function parseNpmInfo(stdout: string, stderr: string): NpmInfo {
  const info: NpmInfo = {};
  const outLines = stdout
    .replace(/\r/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^npm (verbose|info|warn|notice|http|timing|error)\b/.test(l));
  const prefix = outLines[outLines.length - 1];
  if (prefix) info.prefix = prefix;
  const all = `${stderr}\n${stdout}`.replace(/\r/g, "");
  // Paths are printed unquoted and may hold spaces (C:\Program Files\nodejs\node.exe).
  const cli = /^npm verbose cli (.+?[\\/]node(?:js)?(?:\.exe)?) \S.*$/im.exec(all);
  if (cli) info.nodePath = (cli[1] ?? "").trim();
  const node =
    /npm info using node@(v\d+\.\d+\.\d+\S*)/.exec(all) ?? /npm verbose node (v\d+\.\d+\.\d+\S*)/.exec(all);
  if (node?.[1] !== undefined) info.nodeVersion = node[1];
  const npm =
    /npm info using npm@(\d+\.\d+\.\d+\S*)/.exec(all) ?? /npm verbose npm\s+v(\d+\.\d+\.\d+\S*)/.exec(all);
  if (npm?.[1] !== undefined) info.npmVersion = npm[1];
  return info;
}

/** `v20.20.2` from whatever `node --version` printed (CRLF and all). */
export function parseNodeVersion(output: string): string | undefined {
  return /v\d+\.\d+\.\d+[^\s]*/.exec(output)?.[0];
}
