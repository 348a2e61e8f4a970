/**
 * What is this config entry? Pure: one entry's JSON in, a recognised server out (an npm package and
 * its arguments, a program, a remote URL) or the reason it was not understood. Knows the shapes
 * people write on both sides of the line: `npx -y pkg`, `cmd /c npx pkg`, `wsl.exe … npx pkg`,
 * `bunx`, `pnpm dlx`, `yarn dlx`, `npm exec`, and `node <prefix>/node_modules/pkg/…` installs.
 */

export type Recognized =
  | {
      kind: "package";
      name: string;
      range: string;
      bin?: string;
      args: string[];
      env: Record<string, string>;
      via: string;
      wsl?: string;
    }
  | { kind: "command"; command: string; args: string[]; env: Record<string, string>; wsl?: string }
  | { kind: "url"; url: string; headers: Record<string, string> }
  | { kind: "unknown"; reason: string };

export interface RecognizeContext {
  /** Name and version of the package whose folder this is, when the file can be read. */
  packageAt?(packageDir: string): { name: string; version?: string } | undefined;
}

const stringMap = (v: unknown): Record<string, string> =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(
        Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === "string") as Array<
          [string, string]
        >,
      )
    : {};

export function recognize(entry: unknown, ctx: RecognizeContext = {}): Recognized {
  if (!entry || typeof entry !== "object" || Array.isArray(entry))
    return { kind: "unknown", reason: "not an object" };
  const e = entry as Record<string, unknown>;
  const url = [e.url, e.serverUrl, e.httpUrl].find((u): u is string => typeof u === "string");
  if (url) return { kind: "url", url, headers: stringMap(e.headers) };
  if (typeof e.command !== "string" || !e.command.trim())
    return { kind: "unknown", reason: "no command and no url" };
  const args = Array.isArray(e.args) ? e.args.filter((a): a is string => typeof a === "string") : [];
  const words =
    e.command.includes(" ") && args.length === 0 && !/^[A-Za-z]:\\|^\//.test(e.command)
      ? splitCommandLine(e.command)
      : [e.command, ...args];
  return fromWords(words, stringMap(e.env), ctx, undefined);
}

function base(command: string): string {
  return command.split(/[\\/]/).pop()!.toLowerCase();
}

function fromWords(
  words: string[],
  env: Record<string, string>,
  ctx: RecognizeContext,
  wsl: string | undefined,
): Recognized {
  const [command, ...args] = words;
  if (!command) return { kind: "unknown", reason: "empty command" };
  const name = base(command);

  // cmd /c …: the Windows shell around the real command.
  if (name === "cmd" || name === "cmd.exe") {
    let i = 0;
    while (
      i < args.length &&
      /^\/[a-z]$/i.test(args[i]!) &&
      args[i]!.toLowerCase() !== "/c" &&
      args[i]!.toLowerCase() !== "/k"
    )
      i++;
    if (!/^\/[ck]$/i.test(args[i] ?? "")) return { kind: "unknown", reason: "cmd without /c" };
    const rest = args.slice(i + 1);
    const line = rest.length === 1 ? splitCommandLine(rest[0]!) : rest;
    return fromWords(line, env, ctx, wsl);
  }

  // wsl.exe [-d distro] [--exec|-e|--] cmd … / wsl bash -c "…": the server runs inside WSL.
  if (name === "wsl" || name === "wsl.exe") {
    let distro = "";
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a === "-d" || a === "--distribution") distro = args[++i] ?? "";
      else if (a === "-u" || a === "--user" || a === "--cd" || a === "--shell-type") i++;
      else if (a === "-e" || a === "--exec" || a === "--") {
        i++;
        break;
      } else if (!a.startsWith("-")) break;
    }
    return fromWords(args.slice(i), env, ctx, distro || "default");
  }

  // bash -c "npx …", sh -lc "…"
  if ((name === "bash" || name === "sh" || name === "zsh") && /^-[a-z]*c$/.test(args[0] ?? "") && args[1]) {
    return fromWords(splitCommandLine(args[1]), env, ctx, wsl);
  }

  // Package runners.
  let runner: string | undefined;
  let rest: string[] = [];
  if (name === "npx" || name === "npx.cmd" || name === "bunx" || name === "bunx.exe") {
    runner = name.replace(/\.(cmd|exe)$/, "");
    rest = args;
  } else if (
    (name === "pnpm" || name === "pnpm.cmd" || name === "yarn" || name === "yarn.cmd") &&
    args[0] === "dlx"
  ) {
    runner = `${name.replace(/\.cmd$/, "")} dlx`;
    rest = args.slice(1);
  } else if ((name === "npm" || name === "npm.cmd") && args[0] === "exec") {
    runner = "npm exec";
    rest = args.slice(1);
  } else if ((name === "bun" || name === "bun.exe") && args[0] === "x") {
    runner = "bunx";
    rest = args.slice(1);
  }
  if (runner) {
    let pkg: string | undefined;
    let i = 0;
    for (; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === "--") continue;
      if (a === "-p" || a === "--package") {
        pkg = rest[++i];
        continue;
      }
      if (a.startsWith("--package=")) {
        pkg = a.slice(10);
        continue;
      }
      if (a.startsWith("-")) continue;
      break;
    }
    const spec = pkg ?? rest[i];
    if (!spec) return { kind: "unknown", reason: `${runner} without a package` };
    // With --package, the first word is the bin to run from it.
    const bin = pkg ? rest[i] : undefined;
    const serverArgs = rest.slice(i + 1).filter((a) => a !== "--");
    const { name: pkgName, range } = splitPackageSpec(spec);
    if (!/^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i.test(pkgName))
      return { kind: "unknown", reason: `${runner} runs ${spec}, not an npm package name` };
    return {
      kind: "package",
      name: pkgName,
      range,
      ...(bin && bin !== pkgName.split("/").pop() ? { bin } : {}),
      args: serverArgs,
      env,
      via: wsl ? `wsl ${runner}` : runner,
      ...(wsl ? { wsl } : {}),
    };
  }

  // node <…/node_modules/<pkg>/…>: an installed package.
  if (name === "node" || name === "node.exe" || name === "nodejs") {
    const script = args.find((a) => !a.startsWith("-"));
    const installed = script ? packageFromPath(script) : undefined;
    if (script && installed) {
      const known = ctx.packageAt?.(installed.dir);
      const scriptAt = args.indexOf(script);
      return {
        kind: "package",
        name: known?.name ?? installed.name,
        range: known?.version ?? "",
        args: args.slice(scriptAt + 1),
        env,
        via: "installed package",
        ...(wsl ? { wsl } : {}),
      };
    }
  }

  return { kind: "command", command, args, env, ...(wsl ? { wsl } : {}) };
}

/** `@scope/pkg@1.2.3` → name and range; `pkg@latest` → no range (resolved at sync). */
export function splitPackageSpec(spec: string): { name: string; range: string } {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  if (at === -1) return { name: spec, range: "" };
  const range = spec.slice(at + 1);
  return { name: spec.slice(0, at), range: range === "latest" ? "" : range };
}

/** `C:\…\npm\node_modules\@scope\pkg\dist\index.js` → `@scope/pkg` and its folder. */
export function packageFromPath(p: string): { name: string; dir: string } | undefined {
  const parts = p.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at === -1 || at + 1 >= parts.length) return undefined;
  const scoped = parts[at + 1]!.startsWith("@");
  const nameParts = parts.slice(at + 1, at + (scoped ? 3 : 2));
  if (nameParts.length < (scoped ? 2 : 1)) return undefined;
  const sep = p.includes("\\") ? "\\" : "/";
  return { name: nameParts.join("/"), dir: parts.slice(0, at + 1 + nameParts.length).join(sep) };
}

/** Split a command line the way a shell would for simple cases: spaces, single and double quotes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let has = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || current) out.push(current);
      current = "";
      has = false;
    } else {
      current += c;
    }
  }
  if (has || current) out.push(current);
  return out;
}
