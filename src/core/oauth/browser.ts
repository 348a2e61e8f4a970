/**
 * Opening the login page: the program `BROWSER` names, else inside WSL Windows' default browser
 * (`cmd.exe /c start "" "<url>"`, quoted against cmd's `&`), PowerShell's Start-Process on Windows,
 * `open` on macOS, `xdg-open` on Linux. Only the start is judged; a browser is never waited for.
 */
import type { LocalInfo } from "../environments/local.js";
import type { WindowsInterop } from "../environments/windows.js";
import type { Host } from "../system/host.js";

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

/** PowerShell's `-EncodedCommand`: the script as base64 of its UTF-16LE bytes. */
export function encodedStartProcess(url: string): string {
  return Buffer.from(`Start-Process '${url.replace(/'/g, "''")}'`, "utf16le").toString("base64");
}

export async function openBrowser(
  host: Host,
  local: LocalInfo,
  url: string,
  /** On Windows: how to start a Windows program, and where Windows lives (SYSTEMROOT). */
  windows?: { interop: WindowsInterop; systemRoot?: string | undefined },
): Promise<Opened> {
  const given = host.env.BROWSER?.trim();
  if (given) {
    const [file, ...args] = browserCommand(given, url);
    return started(host, `BROWSER (${file})`, file!, args);
  }
  if (local.kind === "wsl") {
    if (!local.interop || !local.cmdExe)
      return {
        ok: false,
        via: "Windows",
        error: `WSL cannot start Windows programs here (${local.interopReason ?? "interop is off"})`,
      };
    const result = await host.runner.run(local.cmdExe, ["/d", "/c", "start", '""', `"${url}"`], {
      cwd: `${local.mountRoot}c`,
      env: { ...host.env },
      timeoutMs: 15_000,
    });
    return result.failed
      ? { ok: false, via: "Windows' default browser", error: failure(result) }
      : { ok: true, via: "Windows' default browser" };
  }
  if (local.kind === "windows" && windows) {
    // By its full path: no powershell.exe planted in the current folder is started.
    const result = await windows.interop.exe(
      `${windows.systemRoot ?? "C:\\Windows"}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
      ["-NoProfile", "-NonInteractive", "-EncodedCommand", encodedStartProcess(url)],
      { timeoutMs: 15_000 },
    );
    return result.failed
      ? { ok: false, via: "the default browser", error: failure(result) }
      : { ok: true, via: "the default browser" };
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
