/** A real MCP handshake (SDK client over stdio) through a config entry, as its client would start it. */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

export interface StdioEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

export interface Handshake {
  /** The process the entry started (what its command ran: the server, or a wrapper). */
  pid: number | null;
  serverName: string | undefined;
  tools: string[];
  call(name: string, args: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/**
 * `command` is resolved by `resolveCommand` (e.g. a Windows path mapped onto the fake C: drive);
 * the child gets a minimal environment plus the entry's env, as GUI clients do.
 */
export async function handshake(
  entry: StdioEntry,
  options: { resolveCommand?: (c: string) => string; baseEnv?: Record<string, string>; cwd?: string } = {},
): Promise<Handshake> {
  const transport = new StdioClientTransport({
    command: options.resolveCommand ? options.resolveCommand(entry.command) : entry.command,
    args: entry.args ?? [],
    env: { ...options.baseEnv, ...entry.env },
    stderr: "pipe",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const client = new Client({ name: "mcp-twin-test", version: "0.0.0" });
  try {
    await client.connect(transport);
  } catch (error) {
    // What the server said on its way out is what explains the failure.
    throw new Error(`${(error as Error).message}; its stderr: ${stderr.slice(-2000)}`);
  }
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  return {
    pid: transport.pid,
    serverName: client.getServerVersion()?.name,
    tools,
    async call(name, args) {
      const r = await client.callTool({ name, arguments: args });
      return (r.content as Array<{ text: string }>).map((c) => c.text).join("");
    },
    close: () => client.close(),
  };
}
