/**
 * The edges a new user meets in the first ten minutes (issue 11, the journeys' findings): what a
 * command says before a manifest exists, with a client config it cannot read, a program that is
 * missing, a home on the Windows drive — each line true, each error with its next step, no advice
 * that loops.
 */
import { afterEach, describe, expect, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  type FakeMachineOptions,
  runInProcessByDefault,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});
function machine(options: FakeMachineOptions = {}): FakeMachine {
  const m = createFakeMachine(options);
  machines.push(m);
  return m;
}

describe("before a manifest exists", () => {
  test("status names the manifest it looked for once, and says what to run", async () => {
    const m = machine();
    const r = await m.run(["status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "✖ No manifest at C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc.\nℹ Run `mcp-twin init` to create one, or pass --manifest <path>.\n",
    );
  });
});
