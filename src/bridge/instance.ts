/**
 * The one running bridge: it describes itself in `<state>/serve.json` (pid, port, url) while it
 * holds the state lock. `connect` and stdio `serve` find it there, or start it detached when
 * nothing answers; the lock makes sure only one of several starters wins.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, renameSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import net from "node:net";
import { OperationError } from "../core/errors.js";
import { readTextOrNull, writePrivateFile } from "../core/files.js";
import type { BridgeFiles } from "./paths.js";

export interface InstanceInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  version: string;
  startedAt: string;
}

export async function readInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const text = await readTextOrNull(files.instance);
  if (!text) return null;
  try {
    const info = JSON.parse(text) as InstanceInfo;
    return typeof info.port === "number" && typeof info.pid === "number" ? info : null;
  } catch {
    return null;
  }
}

export async function writeInstance(files: BridgeFiles, info: InstanceInfo): Promise<void> {
  await writePrivateFile(files.instance, `${JSON.stringify(info, null, 2)}\n`);
}

export async function removeInstance(files: BridgeFiles): Promise<void> {
  const info = await readInstance(files);
  if (!info || info.pid === process.pid) await rm(files.instance, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Does something accept TCP connections there? */
export function probePort(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ""), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export interface StartRequest {
  files: BridgeFiles;
  /** How to run this mcp-twin: node + script. */
  self: { node: string; script: string };
  port: number;
  host?: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  timeoutMs?: number;
}

/**
 * The running bridge's address, starting `serve --http` detached when none answers. With
 * `port` 0 the started bridge picks one (tests); its serve.json tells which.
 */
export async function ensureBridge(
  request: StartRequest,
): Promise<{ host: string; port: number; started: boolean }> {
  const host = request.host ?? "127.0.0.1";
  const running = await liveInstance(request.files);
  if (running && (request.port === 0 || running.port === request.port))
    return { host, port: running.port, started: false };
  if (request.port !== 0 && (await probePort(host, request.port)))
    return { host, port: request.port, started: false };

  request.log(
    `no bridge answers${request.port ? ` on ${host}:${request.port}` : ""}; starting one (log: ${request.files.log})`,
  );
  await mkdir(request.files.dir, { recursive: true });
  const log = openLog(request.files.log);
  const child = spawn(
    request.self.node,
    [request.self.script, "serve", "--http", "--port", String(request.port), "--host", host],
    {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...request.env, NO_COLOR: "1" } as NodeJS.ProcessEnv,
      windowsHide: true,
    },
  );
  closeSync(log);
  let exited: number | null = null;
  child.once("exit", (code) => {
    exited = code ?? 1;
  });
  child.unref();

  const deadline = Date.now() + (request.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const info = await liveInstance(request.files);
    if (info) {
      if (request.port !== 0 && info.port !== request.port)
        throw new OperationError(
          "bridge-elsewhere",
          `The bridge already runs on port ${info.port} (pid ${info.pid}), not ${request.port}.`,
          { hint: `Use ${info.url}, or stop that bridge first.` },
        );
      if (await probePort(host, info.port)) return { host, port: info.port, started: true };
    }
    if (exited !== null && !info) {
      // Lost the race to another starter? Then its serve.json appears shortly.
      const other = await waitForInstance(request.files, 3_000);
      if (other) return { host, port: other.port, started: false };
      throw new OperationError("bridge-start", `The bridge did not start (exit code ${exited}).`, {
        hint: `See ${request.files.log}.`,
      });
    }
  }
  throw new OperationError("bridge-start", "The bridge did not answer in time after starting.", {
    hint: `See ${request.files.log}.`,
  });
}

/** serve.json of a live process, else null. */
export async function liveInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const info = await readInstance(files);
  return info && isAlive(info.pid) ? info : null;
}

async function waitForInstance(files: BridgeFiles, ms: number): Promise<InstanceInfo | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const info = await liveInstance(files);
    if (info && (await probePort(info.host, info.port))) return info;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** The detached bridge's log, appended to; moved aside past 5 MB. */
function openLog(file: string): number {
  try {
    if (statSync(file).size > 5 * 1024 * 1024) renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
  return openSync(file, "a", 0o600);
}
