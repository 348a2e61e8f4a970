/**
 * Shared notes: Markdown files in one workspace folder (`<state>/notes`). Paths are relative,
 * use `/`, and cannot leave the folder: no `..`, no absolute or drive paths, no hidden names, no
 * symbolic links out of it. Writes are atomic; writes to one note run one after another.
 */
import { lstat, mkdir, readdir, readFile, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { writePrivateFile } from "../../core/files.js";
import type { KeyedQueue } from "../store.js";
import { fail, ok } from "./result.js";

const MAX_NOTE_BYTES = 2 * 1024 * 1024;

export class NotePathError extends Error {}

/** The note's relative name (`plans/auth.md`) and absolute file, or a NotePathError. */
export function notePath(root: string, input: string): { name: string; file: string } {
  if (input.length === 0 || input.length > 512)
    throw new NotePathError("A note path has 1 to 512 characters.");
  if (/[\u0000-\u001f]/.test(input))
    throw new NotePathError("A note path cannot contain control characters.");
  const slashed = input.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed) || /^~/.test(slashed))
    throw new NotePathError(`"${input}" is not relative to the notes folder.`);
  const segments = slashed.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === "." || s === "..") throw new NotePathError(`"${input}" leaves the notes folder.`);
    if (s.startsWith(".")) throw new NotePathError(`"${input}": names starting with "." are not notes.`);
    if (/[<>:"|?*]/.test(s)) throw new NotePathError(`"${input}": a name cannot contain < > : " | ? *.`);
  }
  if (segments.length === 0) throw new NotePathError("A note path needs a file name.");
  const last = segments.length - 1;
  if (!/\.md$/i.test(segments[last]!)) segments[last] = `${segments[last]}.md`;
  const file = path.join(root, ...segments);
  const rel = path.relative(root, file);
  if (rel.startsWith("..") || path.isAbsolute(rel))
    throw new NotePathError(`"${input}" leaves the notes folder.`);
  return { name: segments.join("/"), file };
}

/** Refuse a path that reaches outside the folder through a symbolic link. */
async function assertInside(root: string, file: string): Promise<void> {
  const realRoot = await realpath(root);
  let dir = path.dirname(file);
  for (;;) {
    try {
      const real = await realpath(dir);
      const rel = path.relative(realRoot, real);
      if (rel.startsWith("..") || path.isAbsolute(rel))
        throw new NotePathError("That note path leaves the notes folder.");
      break;
    } catch (error) {
      if (error instanceof NotePathError) throw error;
      if (dir === root || path.dirname(dir) === dir) break;
      dir = path.dirname(dir);
    }
  }
  try {
    if ((await lstat(file)).isSymbolicLink()) throw new NotePathError("That note is a symbolic link.");
  } catch (error) {
    if (error instanceof NotePathError) throw error;
  }
}

const pathArg = z
  .string()
  .describe('Path inside the notes folder, e.g. "plans/auth.md" (".md" is added if missing).');

export function registerNotesTools(server: McpServer, root: string, queue: KeyedQueue): void {
  const resolve = async (input: string) => {
    await mkdir(root, { recursive: true });
    const p = notePath(root, input);
    await assertInside(root, p.file);
    return p;
  };
  const guarded =
    <A>(fn: (args: A) => Promise<ReturnType<typeof ok>>) =>
    async (args: A) => {
      try {
        return await fn(args);
      } catch (error) {
        if (error instanceof NotePathError) return fail(error.message);
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return fail("No such note.");
        throw error;
      }
    };

  server.registerTool(
    "notes_write",
    {
      title: "Write a note",
      description:
        "Write a Markdown note in the shared notes folder (e.g. a plan Claude Desktop writes and Claude Code reads). mode: overwrite (default), append, or create (fails if it exists).",
      inputSchema: {
        path: pathArg,
        content: z.string().describe("Markdown text."),
        mode: z.enum(["overwrite", "append", "create"]).optional(),
      },
    },
    guarded(async ({ path: input, content, mode = "overwrite" }) => {
      const { name, file } = await resolve(input);
      return queue.run(name, async () => {
        let previous: string | null = null;
        try {
          previous = await readFile(file, "utf8");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
        if (mode === "create" && previous !== null) return fail(`The note ${name} already exists.`);
        const text = mode === "append" && previous !== null ? previous + content : content;
        const bytes = Buffer.byteLength(text);
        if (bytes > MAX_NOTE_BYTES)
          return fail(`The note would be ${bytes} bytes; the limit is ${MAX_NOTE_BYTES}.`);
        await writePrivateFile(file, text);
        return ok({ path: name, bytes, created: previous === null });
      });
    }),
  );

  server.registerTool(
    "notes_read",
    {
      title: "Read a note",
      description: "Read a Markdown note from the shared notes folder.",
      inputSchema: { path: pathArg },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ path: input }) => {
      const { name, file } = await resolve(input);
      const [content, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      return {
        content: [{ type: "text" as const, text: content }],
        structuredContent: { path: name, content, bytes: info.size, updatedAt: info.mtime.toISOString() },
      };
    }),
  );

  server.registerTool(
    "notes_list",
    {
      title: "List notes",
      description: "List the Markdown notes in the shared notes folder (path, size, last change).",
      inputSchema: {
        prefix: z.string().max(512).optional().describe('Only paths starting with this, e.g. "plans/".'),
      },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ prefix = "" }) => {
      await mkdir(root, { recursive: true });
      const notes: Array<{ path: string; bytes: number; updatedAt: string }> = [];
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.md$/i.test(entry.name)) continue;
        const full = path.join(entry.parentPath, entry.name);
        const name = path.relative(root, full).split(path.sep).join("/");
        if (name.split("/").some((s) => s.startsWith(".")) || !name.startsWith(prefix)) continue;
        const info = await stat(full);
        notes.push({ path: name, bytes: info.size, updatedAt: info.mtime.toISOString() });
      }
      notes.sort((a, b) => a.path.localeCompare(b.path));
      return ok({ notes });
    }),
  );

  server.registerTool(
    "notes_delete",
    {
      title: "Delete a note",
      description: "Delete a Markdown note from the shared notes folder.",
      inputSchema: { path: pathArg },
      annotations: { destructiveHint: true },
    },
    guarded(async ({ path: input }) => {
      const { name, file } = await resolve(input);
      return queue.run(name, async () => {
        await stat(file);
        await rm(file);
        return ok({ path: name, deleted: true });
      });
    }),
  );
}
