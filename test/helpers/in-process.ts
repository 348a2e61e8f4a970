/**
 * mcp-twin's `main(argv, host, terminal)` run in the test's own process: what the binary does
 * after its Node check, with the fake machine's environment table and working folder as the Host
 * and captured streams as the terminal (not a TTY, like a piped binary). Loaded only when a test
 * file runs in-process (test/helpers/fake-machine.ts).
 */
import { Readable } from "node:stream";
import { main } from "../../src/cli.js";
import { hostFrom } from "../../src/core/system/host.js";
import type { Terminal } from "../../src/ui/output.js";
import { BIN, type RunResult } from "./fake-machine.js";

function sink(): { write(s: string): boolean; text(): string } {
  const parts: string[] = [];
  return {
    write: (s: string) => {
      parts.push(String(s));
      return true;
    },
    text: () => parts.join(""),
  };
}

export async function runMain(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  input?: string,
): Promise<RunResult> {
  const stdout = sink();
  const stderr = sink();
  const terminal: Terminal = {
    stdin: Readable.from(input === undefined ? [] : [Buffer.from(input)]),
    stdout,
    stderr,
  };
  // The keychain is this process's choice unless the run names one (vitest.config.ts turns it off,
  // keychain.test.ts on): the native library reads this process's D-Bus and keeps the first bus it
  // reached, so a run of another file in this worker must not reach it (testing.md).
  const keychain = process.env.MCP_TWIN_KEYCHAIN;
  const host = hostFrom(
    { ...(keychain === undefined ? {} : { MCP_TWIN_KEYCHAIN: keychain }), ...env },
    cwd,
    BIN,
  );
  // Entries that run `mcp-twin connect` name the real binary, as a run of the binary would.
  const code = await main([process.execPath, BIN, ...args], host, terminal);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
