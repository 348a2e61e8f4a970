/**
 * The home's pins (`pins.json`, 0600): each server's tools as the person approved them — each
 * definition and its hash — and the launch and version they were approved for. Read and written
 * only here; nothing of it is sent anywhere.
 */
import { UsageError } from "../errors.js";
import { dict, isPlain } from "../plain-records.js";
import { markValid, parseChecked } from "../system/checked-json.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";
import type { PinnedDef } from "./tool-pin.js";

const PINS_VERSION = 1;

/** One tool as approved: its definition (what a change is shown against) and that definition's hash. */
interface ToolPin {
  hash: string;
  def: PinnedDef;
}

export interface ServerPins {
  /**
   * What it ran when its tools were approved (entries/tool-lists.ts homeKey: its package and
   * version, command, arguments, url): another launch is a change the person made, an update.
   */
  launch?: string;
  /** Its version then, as the person knows it: the package's, else what the server said. */
  version?: string;
  /** When they were approved (ISO time). */
  at: string;
  tools: Record<string, ToolPin>;
}

/** Every server's pins, by server name (a map with no prototype). */
export type PinBook = Record<string, ServerPins>;

/** How to get going again after a pins file that does not load. */
const recover = (file: string) =>
  `Nothing was changed. Fix it at that position, or move it aside (rename it to ${file}.broken) and run \`mcp-twin sync\`: every server's tools are pinned again as they are listed now, so a change made since is not seen.`;

/** The first part of `data` that is not a pins file's, as a path into it. */
function firstIssue(data: unknown): { path: PropertyKey[]; message: string } | undefined {
  if (!isPlain(data) || typeof data.version !== "number") return { path: ["version"], message: "missing" };
  if (!isPlain(data.servers)) return { path: ["servers"], message: "not an object" };
  for (const [name, server] of Object.entries(data.servers)) {
    const at = ["servers", name];
    if (!isPlain(server) || typeof server.at !== "string" || !isPlain(server.tools))
      return { path: at, message: "not a server's pins (at, tools)" };
    for (const key of ["launch", "version"] as const)
      if (server[key] !== undefined && typeof server[key] !== "string")
        return { path: [...at, key], message: "not a string" };
    for (const [tool, pin] of Object.entries(server.tools))
      if (!isPlain(pin) || typeof pin.hash !== "string" || !isPlain(pin.def) || pin.def.name !== tool)
        return { path: [...at, "tools", tool], message: "not a tool's pin (hash, def with its name)" };
  }
  return undefined;
}

/** The pins file's text as it is now (null: none yet), for loadPins: one read, judged once per text. */
export const readPinsText = (file: string): Promise<string | null> => readTextOrNull(file);

/**
 * The pins, validated (no file yet: an empty book). A file that does not load is an error (exit 2),
 * an empty or blank one too: read as "nothing pinned" it would switch every hold off.
 */
export async function loadPins(file: string, read?: string | null): Promise<PinBook> {
  const text = read === undefined ? await readTextOrNull(file) : read;
  if (text === null) return dict();
  const data = (await parseChecked(file, text, {
    what: "pins file",
    recover,
    validate: async (d) => firstIssue(d),
  })) as { version: number; servers: PinBook };
  if (data.version > PINS_VERSION)
    throw new UsageError(
      "pins-newer",
      `${file}: written by a newer mcp-twin (pins version ${data.version}; this one knows ${PINS_VERSION}).`,
      { location: { file }, hint: "Update mcp-twin (npm install -g mcp-twin) on this side too." },
    );
  const book = dict<ServerPins>();
  for (const [name, server] of Object.entries(data.servers))
    book[name] = { ...server, tools: dict(server.tools) };
  return book;
}

/** Written whole (a temp file, then a rename; 0600), under the home's lock: the caller holds it. */
export async function savePins(file: string, book: PinBook): Promise<void> {
  const servers = Object.fromEntries(Object.entries(book).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const text = `${JSON.stringify({ version: PINS_VERSION, servers }, null, 1)}\n`;
  await writePrivateFile(file, text);
  await markValid(file, text);
}
