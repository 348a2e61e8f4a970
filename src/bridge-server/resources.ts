/**
 * The shared notes as MCP resources, so clients that let users mention resources can pull a shared
 * plan into a conversation (list, templates, read, subscribe).
 */
import { ProtocolError, type Server } from "@modelcontextprotocol/server";
import { RPC } from "../core/jsonrpc/codes.js";
import type { Era } from "./endpoint.js";
import { type NotesFolder, notePath } from "./notes-folder.js";

const NOTES_URI = "mcp-twin://notes/";
const MIME = "text/markdown";
/**
 * The spec's error code for a resource that does not exist: -32002 in 2025-11-25; 2026-07-28 forbids
 * that code and names invalid params instead.
 */
const RESOURCE_NOT_FOUND = { "2025-11-25": RPC.resourceNotFound, "2026-07-28": RPC.invalidParams } as const;

export const noteUri = (name: string) => NOTES_URI + name.split("/").map(encodeURIComponent).join("/");

/** The note name a URI names, or undefined when it is not a notes URI. */
function noteName(uri: string): string | undefined {
  if (!uri.startsWith(NOTES_URI)) return undefined;
  try {
    return uri.slice(NOTES_URI.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
}

/**
 * Notes one session may be subscribed to at once (docs/bridge.md, "Limits"): each is held
 * in memory for the session's life, so a client subscribing without end would grow the bridge.
 */
export const MAX_SUBSCRIPTIONS = 1000;
/** The JSON-RPC error a subscription past the limit gets. */
export const TOO_MANY_SUBSCRIPTIONS = RPC.serverError;

/** The note name a URI names, as the notes folder spells it, without touching the disk. */
function canonicalName(notes: NotesFolder, uri: string): string | undefined {
  const name = noteName(uri);
  if (name === undefined) return undefined;
  try {
    return notePath(notes.root, name).name;
  } catch {
    return undefined;
  }
}

/**
 * The notes as resources in one era: `resources/list` (every note), `resources/templates/list`
 * (the notes URI template) and `resources/read`, each a result or a thrown JSON-RPC error. A
 * note's URI is `mcp-twin://notes/<path>` (each segment percent-encoded).
 */
export function noteResources(notes: NotesFolder, era: Era) {
  const notFound = (uri: string, why = "no such note") =>
    new ProtocolError(RESOURCE_NOT_FOUND[era], `Resource not found: ${uri.slice(0, 200)} (${why})`, { uri });

  /** The note's canonical name, checked by the notes folder's rules. */
  const resolve = async (uri: string) => {
    const name = noteName(uri);
    if (name === undefined) throw notFound(uri, `notes are ${NOTES_URI}<path>`);
    try {
      return (await notes.resolve(name)).name;
    } catch (error) {
      throw notFound(uri, notes.explain(error) ?? "not a note path");
    }
  };
  return {
    resolve,
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
      const name = await resolve(uri);
      try {
        const note = await notes.read(name);
        return { contents: [{ uri: noteUri(note.name), mimeType: MIME, text: note.content }] };
      } catch (error) {
        throw notFound(uri, notes.explain(error) ?? "unreadable");
      }
    },
  };
}

/**
 * Serve the notes as resources on one 2025-11-25 session's server (or one 2026-07-28 request's:
 * it subscribes through `subscriptions/listen`, which the HTTP face serves), so clients that let
 * users mention resources can pull a shared plan into a conversation; returns what ends its
 * subscriptions. `notifications/resources/updated` comes when a subscribed note changes (through
 * the bridge or edited on disk), `notifications/resources/list_changed` when a note appears or goes.
 */
export function serveNoteResources(server: Server, notes: NotesFolder, era: Era): () => void {
  const subscribed = new Set<string>();
  const resources = noteResources(notes, era);
  const { resolve } = resources;
  server.setRequestHandler("resources/list", resources.list);
  server.setRequestHandler("resources/templates/list", resources.templates);
  server.setRequestHandler("resources/read", (request) => resources.read(request.params.uri));

  // A note that does not exist yet may be subscribed to: its first write is an update.
  const full = (name: string) => !subscribed.has(name) && subscribed.size >= MAX_SUBSCRIPTIONS;
  const tooMany = () =>
    new ProtocolError(
      TOO_MANY_SUBSCRIPTIONS,
      `Too many subscriptions: a session may hold ${MAX_SUBSCRIPTIONS}; unsubscribe from a note first`,
    );
  // A 2026-07-28 instance answers one request: nothing to subscribe, nothing to announce.
  if (era === "2026-07-28") return () => {};
  server.setRequestHandler("resources/subscribe", async (request) => {
    const { uri } = request.params;
    // At the limit, a new note is refused before any file-system work (a flood costs little);
    // checked again once resolved, for the subscriptions that arrived meanwhile.
    const early = canonicalName(notes, uri);
    if (early !== undefined && full(early)) throw tooMany();
    const name = await resolve(uri);
    if (full(name)) throw tooMany();
    subscribed.add(name);
    notes.watch();
    return {};
  });
  server.setRequestHandler("resources/unsubscribe", async (request) => {
    // A URI that is no note was never subscribed.
    subscribed.delete(await resolve(request.params.uri).catch(() => ""));
    return {};
  });
  return notes.onChange((change) => {
    if (subscribed.has(change.name))
      // The session may be gone: a notification to it has no one to tell.
      void server.sendResourceUpdated({ uri: noteUri(change.name) }).catch(() => {});
    // The session may be gone: a notification to it has no one to tell.
    if (change.kind !== "updated") void server.sendResourceListChanged().catch(() => {});
  });
}
