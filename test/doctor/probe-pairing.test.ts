/**
 * Each probe's result is paired with the entries it was started for, whatever the start did to
 * the plan: Node's spawn adds NODE_V8_COVERAGE to the env object it is given when doctor's own
 * process has it (a user measuring coverage, a tool that runs doctor under c8), and a launch read
 * again after the probes no longer matched — every handshake said "it cannot be started from here".
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { doctor, one } from "./helpers.js";

// In this process, so the variable set here is the one doctor's spawn sees.
runInProcessByDefault();

const machines: FakeMachine[] = [];
const saved = process.env.NODE_V8_COVERAGE;
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
  if (saved === undefined) delete process.env.NODE_V8_COVERAGE;
  else process.env.NODE_V8_COVERAGE = saved;
});

test("with NODE_V8_COVERAGE set where doctor runs, the started server's handshake is its entry's", async () => {
  const m = createFakeMachine({});
  machines.push(m);
  const server = path.join(m.paths.linuxHome, "fixture.mjs");
  copyFileSync(inject("fixtureScript"), server);
  const file = path.join(m.paths.linuxHome, ".codex", "config.toml");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `[mcp_servers.fx]\ncommand = "${process.execPath}"\nargs = ["${server}"]\n`);
  const coverage = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-v8-coverage-"));
  try {
    process.env.NODE_V8_COVERAGE = coverage;
    const run = await doctor(m, ["--client", "codex", "--server", "fx"]);
    expect(one(run, "probe.handshake", { client: "codex", server: "fx" })).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/^started in .* with \d+ tools/),
    });
    // The server was started with the variable (so the spawn did add it): it wrote its coverage.
    expect(readdirSync(coverage).length).toBeGreaterThan(0);
  } finally {
    rmSync(coverage, { recursive: true, force: true });
  }
});
