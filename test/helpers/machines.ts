/**
 * Fake machines for a test file: each test gets one with the fixture server in its manifest and
 * its secret set, cleaned up after the test.
 */
import { afterEach, inject } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  type FakeMachineOptions,
  writeManifest,
  writeSecrets,
} from "./fake-machine.js";

export function fixtureMachines(secret: string, fixtureSpec: () => string = () => inject("fixtureName")) {
  const machines: FakeMachine[] = [];
  afterEach(() => {
    for (const m of machines.splice(0)) m.cleanup();
  });
  return function setup(options: FakeMachineOptions = {}, servers?: Record<string, unknown>): FakeMachine {
    const machine = createFakeMachine({ registryUrl: inject("registryUrl"), ...options });
    machines.push(machine);
    writeManifest(machine, {
      servers: servers ?? {
        fixture: { package: fixtureSpec(), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      },
    });
    writeSecrets(machine, { FIXTURE_TOKEN: secret });
    return machine;
  };
}
