/**
 * No process outlives doctor: not after a run where servers hang (Linux servers, and Windows
 * servers reached through the node.exe stand-in), and not when the user presses Ctrl-C mid-probe
 * (exit 130, every probe's process tree killed).
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { BIN, createFakeMachine, type FakeMachine } from "../helpers/fake-machine.js";
import { doctor, one, processesWith, waitFor } from "./helpers.js";

let machine: FakeMachine;

beforeAll(() => {
  machine = createFakeMachine({});
  const linuxServer = path.join(machine.root, "servers", "fixture.mjs");
  mkdirSync(path.dirname(linuxServer), { recursive: true });
  copyFileSync(inject("fixtureScript"), linuxServer);
  copyFileSync(inject("fixtureScript"), path.join(machine.paths.drive, "fixture.mjs"));
  writeFileSync(
    machine.paths.claudeCodeConfig,
    JSON.stringify({
      mcpServers: {
        "linux-hang": { type: "stdio", command: "node", args: [linuxServer, "--hang"] },
        "linux-ok": { type: "stdio", command: "node", args: [linuxServer] },
      },
    }),
  );
  writeFileSync(
    machine.paths.claudeDesktopConfig,
    JSON.stringify({
      mcpServers: {
        "windows-hang": { command: "C:\\PROGRA~1\\nodejs\\node.exe", args: ["C:\\fixture.mjs", "--hang"] },
      },
    }),
  );
});

afterAll(() => machine?.cleanup());

test("hanging servers on both sides time out and leave nothing running", async () => {
  // 5 s: room for the server that answers to start on a loaded machine (the hanging ones take it all).
  const run = await doctor(machine, ["--timeout", "5"]);
  expect(one(run, "probe.handshake", { server: "linux-hang" }).status).toBe("fail");
  expect(one(run, "probe.handshake", { env: "windows", server: "windows-hang" }).status).toBe("fail");
  expect(one(run, "probe.handshake", { server: "linux-ok" }).status).toBe("pass");
  expect(processesWith(machine.root)).toEqual([]);
});

test("Ctrl-C while probing: exit 130 and every server's process tree is killed", async () => {
  const child = spawn(process.execPath, [BIN, "doctor", "--timeout", "60"], {
    env: machine.env,
    cwd: machine.paths.linuxHome,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Both hanging servers are up (the Windows one behind the node.exe stand-in).
  await waitFor(
    () => processesWith(machine.root).filter((p) => p.cmd.includes("--hang")).length >= 3,
    20_000,
  );
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  // doctor writes no file of the user's (its caches at most).
  expect(stderr).toMatch(/✖ Stopped before anything (but mcp-twin's cache )?was written\./);
  await waitFor(() => processesWith(machine.root).length === 0, 3_000).catch(() => {});
  expect(processesWith(machine.root)).toEqual([]);
});
