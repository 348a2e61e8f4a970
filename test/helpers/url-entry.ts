/** A url entry used as its client would: its url and headers, nothing else, through an SDK client closed after. */
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export interface UrlEntry {
  url: string;
  headers?: Record<string, string>;
}

/** `server`'s entry in a client's JSON config (`mcpServers`), as that client reads it. */
export function urlEntryIn(configFile: string, server: string): UrlEntry {
  return JSON.parse(readFileSync(configFile, "utf8")).mcpServers[server] as UrlEntry;
}

/** One session through `entry`: what `use` makes of it; the session closed whatever happens. */
export async function viaUrlEntry<T>(entry: UrlEntry, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ name: "url-entry", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers ?? {} } }),
  );
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** A tool's answer through `entry`: its text parts, joined. */
export function toolTextVia(entry: UrlEntry, name: string, args: Record<string, unknown>): Promise<string> {
  return viaUrlEntry(entry, async (client) => {
    const said = (await client.callTool({ name, arguments: args })) as { content?: Array<{ text?: string }> };
    return (said.content ?? []).map((c) => c.text ?? "").join("");
  });
}
