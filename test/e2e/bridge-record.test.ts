/**
 * The home's record of its gateway port (`bridge.json`) that does not hold one — a hand edit gone
 * wrong: sync, `bridge start` and status stop at its line and column (exit 2) and write nothing,
 * rather than choosing 7760 again over the port every client's entry names; doctor says the same.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { doctor, one } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

let m: FakeMachine;
beforeAll(() => {
  m = createFakeMachine({
    registryUrl: inject("registryUrl"),
    kind: "linux",
    claudeDesktop: false,
    cursor: false,
  });
  writeManifest(m, { servers: { fixture: { package: inject("fixtureName"), share: "machine" } } });
  chmodSync(m.paths.claudeCodeConfig, 0o600);
});
afterAll(() => m?.cleanup());

test("a record that does not parse, or holds no port: exit 2 at its position, nothing written", async () => {
  const record = path.join(m.paths.home, "bridge.json");
  const config = readFileSync(m.paths.claudeCodeConfig, "utf8");
  const cases = [
    { text: `{ "port": ${m.bridgePort}, }\n`, at: "1:", what: "not valid JSON" },
    { text: '{\n  "port": "seventy-seven"\n}\n', at: "2:3", what: "port: expected a port number" },
  ];
  for (const { text, at, what } of cases) {
    writeFileSync(record, text);
    for (const args of [["sync", "--dry-run"], ["sync"], ["bridge", "start"], ["status"]]) {
      const r = await m.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${record}:${at}`);
      expect(r.stderr).toContain(what);
      expect(r.stderr).toContain("Nothing was changed. Fix the port at that position");
      expect(r.stdout).not.toContain("7760");
      expect(readFileSync(record, "utf8")).toBe(text);
      expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(config);
    }
    const run = await doctor(m, ["--no-probe"]);
    const check = one(run, "bridge.record");
    expect(check.status).toBe("fail");
    expect(check.message).toContain(`${record}:${at}`);
    expect(check.fix).toContain("delete the file");
  }
}, 120_000);
