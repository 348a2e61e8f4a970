/**
 * The shared notes as MCP resources, so clients that let users mention resources can pull a shared
 * plan into a conversation (list, templates, read; subscriptions in own-server.ts).
 */
import { RPC, rpcError } from "../core/jsonrpc/codes.js";
import { type NotesFolder, notePath } from "./notes-folder.js";

const NOTES_URI = "mcp-twin://notes/";
const MIME = "text/markdown";
const noteUri = (name: string) => NOTES_URI + name.split("/").map(encodeURIComponent).join("/");

/** The note name a URI names, or undefined when it is not a notes URI. */
function noteName(uri: string): string | undefined {
  if (!uri.startsWith(NOTES_URI)) return undefined;
  try {
    return uri.slice(NOTES_URI.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
}

/** The note name a URI names, as the notes folder spells it, without touching the disk. */
export function canonicalName(notes: NotesFolder, uri: string): string | undefined {
  const name = noteName(uri);
  if (name === undefined) return undefined;
  try {
    return notePath(notes.root, name).name;
  } catch {
    return undefined;
  }
}

/**
 * The notes as resources: `resources/list` (every note), `resources/templates/list` (the notes URI
 * template) and `resources/read`, each a result or a thrown JSON-RPC error. A note's URI is
 * `mcp-twin://notes/<path>` (each segment percent-encoded). A note not found is 2025-11-25's -32002
 * with its URI; the gateway says it as -32602 to a 2026-07-28 client (share-call.ts `errorIn`).
 */
export function noteResources(notes: NotesFolder) {
  const notFound = (uri: string, why = "no such note") =>
    Object.assign(rpcError(`Resource not found: ${uri.slice(0, 200)} (${why})`, RPC.resourceNotFound), {
      data: { uri },
    });
  return {
    list: async () => ({
      resources: (await notes.list()).map((n) => ({
        uri: noteUri(n.path),
        name: n.path,
        title: n.path.replace(/\.md$/i, ""),
        mimeType: MIME,
        size: n.bytes,
        annotations: { lastModified: n.updatedAt },
      })),
    }),
    templates: async () => ({
      resourceTemplates: [
        {
          uriTemplate: `${NOTES_URI}{+path}`,
          name: "note",
          title: "A shared note",
          description: "A Markdown note in the bridge's shared notes folder, e.g. plans/auth.md.",
          mimeType: MIME,
        },
      ],
    }),
    read: async (uri: string) => {
      const name = noteName(uri);
      if (name === undefined) throw notFound(uri, `notes are ${NOTES_URI}<path>`);
      try {
        const note = await notes.read(name);
        return { contents: [{ uri: noteUri(note.path), mimeType: MIME, text: note.content }] };
      } catch (error) {
        throw notFound(uri, notes.explain(error) ?? "unreadable");
      }
    },
  };
}
