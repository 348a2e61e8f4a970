/**
 * The bridge started as systemd starts it from its socket unit (socket activation), run for real
 * with the built bridge: the listening socket inherited as fd 3, LISTEN_FDS=1 and LISTEN_PID set
 * to the bridge's own pid after the fork (an `sh` that sets it to `$$` and execs node, as systemd
 * does between fork and exec). It serves on that socket, with no keeper named; variables whose
 * LISTEN_PID names another process are not its own.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { isAlive } from "../../src/core/system/process-alive.js";
import { BIN, bridgeEnv, cleanup, tempDir } from "../bridge-server/helpers.js";

const pids: number[] = [];
afterEach(async () => {
  for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  await cleanup();
});

/** A listening socket on a free loopback port, and its descriptor (as systemd holds one). */
function listening(): Promise<{ server: net.Server; port: number; fd: number }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const fd = Reflect.get(Reflect.get(server, "_handle") as object, "fd") as number;
      resolve({ server, port: (server.address() as net.AddressInfo).port, fd });
    });
  });
}

/** serve.json once the bridge wrote it and answers its control route with its token. */
async function answering(dir: string, port: number) {
  const deadline = Date.now() + 20_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const info = JSON.parse(readFileSync(path.join(dir, "serve.json"), "utf8"));
      const token = readFileSync(path.join(dir, "token"), "utf8").trim();
      const res = await fetch(`http://127.0.0.1:${port}/control/status`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      if (res.status === 200) return info as { pid: number; port: number; keeper?: number };
      last = `status ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no bridge answered on ${port}: ${last}`);
}

/** `serve --http` given `fd` as its fd 3, LISTEN_FDS=1 and LISTEN_PID (`$$`: its own pid, or another). */
function activated(env: Record<string, string>, fd: number, port: number, listenPid: string) {
  let stderr = "";
  const child = spawn(
    "/bin/sh",
    ["-c", `LISTEN_PID=${listenPid} exec "$@"`, "sh", process.execPath, BIN, "serve", "--http"].concat([
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ]),
    { env: { ...env, LISTEN_FDS: "1" }, stdio: ["ignore", "ignore", "pipe", fd] },
  );
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  if (child.pid) pids.push(child.pid);
  return { child, stderr: () => stderr };
}

test.skipIf(process.platform === "win32")(
  "a bridge systemd starts from its socket unit serves on the inherited socket, and names no keeper; LISTEN_PID of another process is not its own",
  async () => {
    const env = bridgeEnv(tempDir());
    const dir = env.MCP_TWIN_BRIDGE_HOME!;
    const socket = await listening();
    const bridge = activated(env, socket.fd, socket.port, "$$");
    // systemd keeps its own copy; this one goes, so only the bridge takes the connections.
    socket.server.close();
    const info = await answering(dir, socket.port).catch((error: Error) => {
      throw new Error(`${error.message}\n${bridge.stderr()}`);
    });
    // exec kept the pid systemd named: the bridge is the process it started, no keeper of ours.
    expect(info.pid).toBe(bridge.child.pid);
    expect(info.port).toBe(socket.port);
    expect(info.keeper).toBeUndefined();
    process.kill(info.pid, "SIGTERM");
    await new Promise((r) => bridge.child.once("exit", r));

    // LISTEN_PID names its parent (variables it inherited): fd 3 is not taken, its own port is.
    const other = await listening();
    const own = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const inherited = activated(env, other.fd, own, String(process.pid));
    const second = await answering(dir, own);
    expect(second.pid).toBe(inherited.child.pid);
    expect(second.port).toBe(own);
    other.server.close();
  },
  60_000,
);
