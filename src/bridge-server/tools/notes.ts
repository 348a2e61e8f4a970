/**
 * The notes_* tools over the shared notes folder (notes-folder.ts holds the rules: no path
 * leaves the folder, names Windows can hold, atomic writes, one writer per note).
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { NotesFolder } from "../notes-folder.js";
import { type BridgeTool, defineTool } from "./define.js";
import { fail, ok } from "./result.js";

const pathArg = z
  .string()
  .describe('Path inside the notes folder, e.g. "plans/auth.md" (".md" is added if missing).');

export function notesTools(notes: NotesFolder): BridgeTool[] {
  /** Known failures as tool errors in words; anything else without the folder's absolute path. */
  const guarded =
    <A>(fn: (args: A) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> => {
      try {
        return await fn(args);
      } catch (error) {
        const known = notes.explain(error);
        if (known) return fail(known);
        throw new Error(notes.redact(error instanceof Error ? error.message : String(error)));
      }
    };

  return [
    defineTool(
      {
        name: "notes_write",
        title: "Write a note",
        description:
          "Write a Markdown note in the shared notes folder (e.g. a plan Claude Desktop writes and Claude Code reads). mode: overwrite (default), append, or create (fails if it exists).",
        input: {
          path: pathArg,
          content: z.string().describe("Markdown text."),
          mode: z.enum(["overwrite", "append", "create"]).optional(),
        },
      },
      guarded(async ({ path: input, content, mode = "overwrite" }) => {
        const r = await notes.write(input, content, mode);
        return "refused" in r ? fail(r.refused) : ok({ path: r.name, bytes: r.bytes, created: r.created });
      }),
    ),

    defineTool(
      {
        name: "notes_read",
        title: "Read a note",
        description: "Read a Markdown note from the shared notes folder.",
        input: { path: pathArg },
        annotations: { readOnlyHint: true },
      },
      guarded(async ({ path: input }) => {
        const note = await notes.read(input);
        return { content: [{ type: "text" as const, text: note.content }], structuredContent: note };
      }),
    ),

    defineTool(
      {
        name: "notes_list",
        title: "List notes",
        description: "List the Markdown notes in the shared notes folder (path, size, last change).",
        input: {
          prefix: z.string().max(512).optional().describe('Only paths starting with this, e.g. "plans/".'),
        },
        annotations: { readOnlyHint: true },
      },
      guarded(async ({ prefix = "" }) => ok({ notes: await notes.list(prefix) })),
    ),

    defineTool(
      {
        name: "notes_delete",
        title: "Delete a note",
        description: "Delete a Markdown note from the shared notes folder.",
        input: { path: pathArg },
        annotations: { destructiveHint: true },
      },
      guarded(async ({ path: input }) => ok({ path: await notes.remove(input), deleted: true })),
    ),
  ];
}
