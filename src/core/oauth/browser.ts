/**
 * Opening the login page: `BROWSER`, else Windows' default browser through PowerShell's Start-Process
 * (from WSL too), `open` on macOS, `xdg-open` on Linux — each given an address no shell or cmd.exe
 * reads as syntax. Only the start is judged; a browser is never waited for.
 */
import type { LocalInfo } from "../environments/local.js";
import type { WindowsInterop } from "../environments/windows.js";
import { OperationError } from "../errors.js";
import type { Host } from "../system/host.js";
import { endpointProblem } from "./endpoints.js";

export type Opened = { ok: true; via: string } | { ok: false; via: string; error: string };

/** How long a browser command may take to fail before it counts as started. */
const SETTLE_MS = 1_500;

/** `BROWSER`'s value as a command: words (quotes group them), `%s` for the URL, else the URL last. */
export function browserCommand(value: string, url: string): string[] {
  const words: string[] = [];
  for (const m of value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? "");
  const withUrl = words.map((w) => w.replace(/%s/g, url));
  return withUrl.some((w, i) => w !== words[i]) ? withUrl : [...words, url];
}

/** What stays as it is in the address handed over: letters, digits, `-._~/?=&+:@,` and `%XX`. */
const KEEP = /^[A-Za-z0-9\-._~/?=&+:@,]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * The address as a browser launcher gets it: https or http only (the login's endpoint rule), and
 * after the host every other character percent-encoded (`%` not starting an escape, `"`, `'`, `^`,
 * `!`, `$`, `;`, `*`, brackets, blanks, controls, non-ASCII) — so cmd.exe, PowerShell or a shell
 * that meets it finds nothing to expand, quote or chain, and the browser reads the same address.
 */
export function launcherUrl(href: string): string {
  const why = endpointProblem(href);
  if (why !== undefined)
    throw new OperationError("oauth-endpoint", `The login page's address was not opened: ${why}.`);
  const url = new URL(href);
  const rest = Array.from(url.href.slice(url.origin.length));
  let out = "";
  let fragment = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] ?? "";
    if (KEEP.test(c) || (c === "%" && HEX2.test(`${rest[i + 1]}${rest[i + 2]}`))) out += c;
    else if (c === "#" && !fragment) {
      fragment = true;
      out += c;
    } else for (const b of Buffer.from(c, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `${url.origin}${out}`;
}

/** PowerShell's `-EncodedCommand`: the script as base64 of its UTF-16LE bytes. */
export function encodedStartProcess(url: string): string {
  return Buffer.from(`Start-Process '${url.replace(/'/g, "''")}'`, "utf16le").toString("base64");
}

export async function openBrowser(
  host: Host,
  local: LocalInfo,
  address: string,
  /** On Windows and from WSL: how to start a Windows program, and where Windows lives (SYSTEMROOT). */
  windows?: { interop: WindowsInterop; systemRoot?: string | undefined },
): Promise<Opened> {
  const url = launcherUrl(address);
  const given = host.env.BROWSER?.trim();
  if (given) {
    // No shell: the command's words and the address are the program's arguments as they are.
    // BROWSER is not blank here, so it has a first word.
    const [file = given, ...args] = browserCommand(given, url);
    return started(host, `BROWSER (${file})`, file, args);
  }
  if (local.kind === "wsl" && !local.interop)
    return {
      ok: false,
      via: "Windows",
      error: `WSL cannot start Windows programs here (${local.interopReason ?? "interop is off"})`,
    };
  if ((local.kind === "wsl" || local.kind === "windows") && windows) {
    // Not cmd.exe's `start`: cmd reads %VAR%, quotes, & and ^ in a command line whatever is done
    // to it. The script travels as base64; PowerShell reads the address as one quoted literal.
    // By its full path: no powershell.exe planted in the current folder is started.
    const result = await windows.interop.exe(
      `${windows.systemRoot ?? "C:\\Windows"}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
      ["-NoProfile", "-NonInteractive", "-EncodedCommand", encodedStartProcess(url)],
      { timeoutMs: 15_000 },
    );
    const via = local.kind === "wsl" ? "Windows' default browser" : "the default browser";
    return result.failed ? { ok: false, via, error: failure(result) } : { ok: true, via };
  }
  return started(host, "the default browser", local.kind === "macos" ? "open" : "xdg-open", [url]);
}

/** Start a command that may keep running (a browser in the foreground); judge only its start. */
async function started(host: Host, via: string, file: string, args: string[]): Promise<Opened> {
  const child = host.runner.detach(file, args, { env: { ...host.env }, cwd: host.cwd });
  if (child.pid === undefined) {
    const code = await child.exited;
    return { ok: false, via, error: `${file} could not be started${code === null ? " (not found?)" : ""}` };
  }
  const early = await Promise.race([
    child.exited,
    new Promise<"running">((resolve) => setTimeout(resolve, SETTLE_MS, "running").unref()),
  ]);
  if (early === "running" || early === 0) return { ok: true, via };
  return { ok: false, via, error: `${file} ended with code ${early ?? "?"}` };
}

function failure(result: { exitCode: number | undefined; stderr: Buffer; spawnError?: string }): string {
  if (result.spawnError) return `it could not be started (${result.spawnError})`;
  const text = result.stderr.toString("utf8").trim().split(/\r?\n/)[0];
  return `it ended with code ${result.exitCode ?? "?"}${text ? `: ${text}` : ""}`;
}
