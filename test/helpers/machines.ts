/**
 * Fake machines for a test file: each test gets one with the fixture server in its manifest and
 * its secret set, cleaned up after the test; `synced` gives one after its first sync.
 */
import { cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, expect, inject } from "vitest";
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
  function setup(options: FakeMachineOptions = {}, servers?: Record<string, unknown>): FakeMachine {
    const machine = createFakeMachine({ registryUrl: inject("registryUrl"), ...options });
    machines.push(machine);
    writeManifest(machine, {
      servers: servers ?? {
        // "off": its key in each client's entry, as these tests look for it (a key-carrying server is
        // otherwise shared, test/e2e/no-key-in-clients.test.ts).
        fixture: { package: fixtureSpec(), share: "off", env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      },
    });
    writeSecrets(machine, { FIXTURE_TOKEN: secret });
    return machine;
  }

  // The first sync of a machine installs the fixture on both sides with real npm: done once per
  // kind of machine in this file, then copied back byte for byte (times and modes kept) into the
  // same folder, so every absolute path the sync wrote stays true.
  const synced = new Map<string, { root: string; copy: string }>();
  afterAll(() => {
    for (const { copy } of synced.values()) rmSync(copy, { recursive: true, force: true });
  });
  /** A machine as `setup` gives it, after `mcp-twin sync` (exit 0). */
  async function syncedMachine(
    options: FakeMachineOptions = {},
    servers?: Record<string, unknown>,
  ): Promise<FakeMachine> {
    const key = JSON.stringify([options, servers ?? null]);
    const known = synced.get(key);
    if (known && !existsSync(known.root)) {
      const machine = createFakeMachine({ registryUrl: inject("registryUrl"), ...options, root: known.root });
      machines.push(machine);
      rmSync(known.root, { recursive: true, force: true });
      cpSync(known.copy, known.root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      // Its own gateway port, as every fake machine has (the copy's is the first machine's).
      if (machine.bridgePort !== undefined)
        writeFileSync(
          path.join(machine.paths.home, "bridge.json"),
          `${JSON.stringify({ port: machine.bridgePort })}\n`,
        );
      return machine;
    }
    const machine = setup(options, servers);
    expect((await machine.run(["sync"])).code).toBe(0);
    if (!known) {
      const copy = `${machine.root}-synced`;
      cpSync(machine.root, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      synced.set(key, { root: machine.root, copy });
    }
    return machine;
  }
  return Object.assign(setup, { synced: syncedMachine });
}

/**
 * An array for a file's own fake machines: every one pushed into it is cleaned up (temp folder gone,
 * the bridge and keeper it recorded stopped by pid) after the file's tests.
 */
export function machinesCleanedAfterAll(): FakeMachine[] {
  const machines: FakeMachine[] = [];
  afterAll(() => {
    for (const m of machines) m.cleanup();
  });
  return machines;
}
