/**
 * The gateway's port as this home keeps it (`<home>/bridge.json`): chosen free on its first start,
 * read by every environment of the machine (on a PC, Windows and WSL share the home).
 */
import { own } from "../own-keys.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";

/** The recorded port; undefined when none is (or the file is not one mcp-twin could have written). */
export async function readRecordedPort(file: string): Promise<number | undefined> {
  // Unreadable counts as none recorded: a port is chosen and recorded again.
  const text = await readTextOrNull(file).catch(() => null);
  if (!text) return undefined;
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data !== "object" || data === null) return undefined;
    const port = own(data as Record<string, unknown>, "port");
    return Number.isInteger(port) && (port as number) > 0 && (port as number) < 65_536
      ? (port as number)
      : undefined;
  } catch {
    // Only data: a file that does not parse is as good as none (the port is chosen again).
    return undefined;
  }
}

/** Keep `port` as this home's gateway port (atomic: a reader sees the old port or the new one). */
export async function recordPort(file: string, port: number): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify({ port })}\n`);
}
