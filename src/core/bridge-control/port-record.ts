/**
 * The gateway's port as this home keeps it (`<home>/bridge.json`): chosen free on its first start,
 * read by every environment of the machine (on a PC, Windows and WSL share the home).
 */
import { isPlain, own } from "../plain-records.js";
import { parseChecked } from "../system/checked-json.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";

/** How to get going again after a record that does not load (nothing was changed). */
const recover = () =>
  'Nothing was changed. Fix the port at that position ({ "port": <n> }), or delete the file: the next sync or `mcp-twin bridge start` then chooses the port again (7760, or the first free one above it), and a sync points the clients\' entries there.';

/** Is `data` a record mcp-twin could have written? Undefined when it is, else what is wrong, where. */
async function validate(data: unknown): Promise<{ path: PropertyKey[]; message: string } | undefined> {
  if (!isPlain(data)) return { path: [], message: 'expected { "port": <n> }' };
  const port = own(data, "port");
  return Number.isInteger(port) && (port as number) > 0 && (port as number) < 65_536
    ? undefined
    : { path: ["port"], message: "expected a port number, 1 to 65535" };
}

/**
 * The recorded port; undefined when none is (no file, or an empty one). A file that does not hold
 * one is an error at its line and column (exit 2): choosing the port again in silence would move
 * the gateway off the port every client's entry names, and the next write would make that stick.
 */
export async function readRecordedPort(file: string): Promise<number | undefined> {
  // Unreadable counts as none recorded: a port is chosen and recorded again.
  const text = await readTextOrNull(file).catch(() => null);
  if (!text || text.trim() === "") return undefined;
  const data = await parseChecked(file, text, {
    what: "gateway port file",
    code: "bridge-record-corrupt",
    recover,
    validate,
    mark: false,
  });
  return own(data as Record<string, unknown>, "port") as number;
}

/** Keep `port` as this home's gateway port (atomic: a reader sees the old port or the new one). */
export async function recordPort(file: string, port: number): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify({ port })}\n`);
}
