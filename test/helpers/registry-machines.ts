/**
 * Fake machines that ask a loopback MCP Registry (and the local npm registry), for a test file:
 * the registry started before its tests with the entries given, every machine cleaned up after each.
 */
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { createFakeMachine, type FakeMachine } from "./fake-machine.js";
import { type McpRegistry, type McpRegistryOptions, startMcpRegistry } from "./mcp-registry.js";

export function registryMachines(options: () => McpRegistryOptions = () => ({})): {
  machine(): FakeMachine;
  registry(): McpRegistry;
} {
  let registry: McpRegistry | undefined;
  const machines: FakeMachine[] = [];
  beforeAll(async () => {
    registry = await startMcpRegistry(options());
  });
  afterAll(() => registry?.close());
  afterEach(() => {
    for (const m of machines.splice(0)) m.cleanup();
  });
  return {
    machine() {
      const m = createFakeMachine({ registryUrl: inject("registryUrl"), mcpRegistryUrl: registry!.url });
      machines.push(m);
      return m;
    },
    registry: () => registry!,
  };
}
