/**
 * Once sync's plain handshake has a server's list, nothing of that server keeps the process alive:
 * its stdin is closed and its exit not waited for (a sync ends at its last answer; a server still
 * running then is killed as the process exits). Read off the event loop's own list of what holds it.
 */
import { expect, inject, test } from "vitest";
import { listOverStdio } from "../../src/core/doctor/probe/wire-list.js";
import { createRunner, type StartedProcess } from "../../src/core/system/run.js";

/** What keeps this process running that a started child adds: its process and its pipes. */
const holding = () =>
  process.getActiveResourcesInfo().filter((r) => r === "ProcessWrap" || r === "PipeWrap").length;

test("a listed server that has not ended yet holds nothing of this process", async () => {
  const runner = createRunner();
  let started: StartedProcess | undefined;
  const spy = { ...runner, start: (...a: Parameters<typeof runner.start>) => (started = runner.start(...a)) };
  const before = holding();
  const r = await listOverStdio(
    spy,
    { file: process.execPath, args: [inject("fixtureScript")], env: { PATH: process.env.PATH } },
    60_000,
  );
  expect(r.ok).toBe(true);
  // Its stdin was closed a moment ago: it still runs (no exit can be read before the loop turns).
  expect(started?.pid).toBeDefined();
  expect(holding()).toBe(before);
  await started?.ended;
});
