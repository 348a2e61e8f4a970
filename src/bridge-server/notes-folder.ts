/**
 * The shared notes folder (`<state>/notes`): Markdown files that the notes_* tools write and read and
 * that MCP resources expose, kept inside the folder and safe for Windows names.
 */
import { type FSWatcher, watch } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { makeFolder, removePath, writePrivateFile } from "../core/system/files.js";

const MAX_NOTE_BYTES = 2 * 1024 * 1024;
const MAX_SEGMENT_BYTES = 255;
/** Device names Windows reserves in every folder, with any extension (`NUL.md` too). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

export class NotePathError extends Error {}

/** The note's relative name (`plans/auth.md`) and absolute file, or a NotePathError. */
export function notePath(root: string, input: string): { name: string; file: string } {
  if (input.length === 0 || input.length > 512)
    throw new NotePathError("A note path has 1 to 512 characters.");
  if (/[\u0000-\u001f\u007f]/.test(input))
    throw new NotePathError("A note path cannot contain control characters.");
  const slashed = input.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed) || /^~/.test(slashed))
    throw new NotePathError(`"${input}" is not relative to the notes folder.`);
  const segments = slashed.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === "." || s === "..") throw new NotePathError(`"${input}" leaves the notes folder.`);
    if (s.startsWith(".")) throw new NotePathError(`"${input}": names starting with "." are not notes.`);
    if (/[<>:"|?*]/.test(s)) throw new NotePathError(`"${input}": a name cannot contain < > : " | ? *.`);
    if (/[. ]$/.test(s))
      throw new NotePathError(`"${input}": a name cannot end with a dot or a space (Windows drops them).`);
    if (WINDOWS_RESERVED.test((s.split(".")[0] ?? "").trimEnd()))
      throw new NotePathError(`"${input}": ${s} is a device name on Windows, not a file name.`);
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES - 3)
      throw new NotePathError(`"${input.slice(0, 40)}…": a name has at most ${MAX_SEGMENT_BYTES - 3} bytes.`);
  }
  if (segments.length === 0) throw new NotePathError("A note path needs a file name.");
  const last = segments.length - 1;
  const name = segments[last] ?? "";
  if (!/\.md$/i.test(name)) segments[last] = `${name}.md`;
  const file = path.join(root, ...segments);
  const rel = path.relative(root, file);
  if (rel.startsWith("..") || path.isAbsolute(rel))
    throw new NotePathError(`"${input}" leaves the notes folder.`);
  return { name: segments.join("/"), file };
}

export type NoteChange = { name: string; kind: "created" | "updated" | "deleted" };

export interface NoteInfo {
  path: string;
  bytes: number;
  updatedAt: string;
}

/**
 * Paths are relative, use `/`, and cannot leave the folder: no `..`, no absolute or drive paths, no
 * hidden names, no symbolic links out of it, no names Windows cannot hold (CON, NUL.md, a trailing
 * dot or space). Writes are atomic; writes to one note run one after another; every change is
 * announced to `onChange` listeners (resource subscriptions). Errors never carry the absolute path.
 */
export class NotesFolder {
  readonly root: string;
  readonly #queue = new KeyedQueue();
  readonly #listeners = new Set<(change: NoteChange) => void>();
  /**
   * The last change announced per note — its file's inode, size and mtime ("" deleted) — so the
   * watcher repeats none of the bridge's own writes. (mtime alone would not do: file times tick
   * in milliseconds, and two writes within one tick look the same.)
   */
  readonly #announced = new Map<string, string>();
  /** One watch per folder of the tree (relative path → watcher), while a subscription needs them. */
  readonly #watchers = new Map<string, FSWatcher>();
  #watching = false;
  readonly #pending = new Map<string, NodeJS.Timeout>();

  constructor(root: string) {
    this.root = root;
  }

  /**
   * Also announce changes made on disk (a note edited by hand), once the first resource
   * subscription needs it. A watch per folder, not a file: an atomic write replaces a note's file,
   * and a folder's watch still sees what happens to the new one (Node's recursive watch on Linux
   * follows files, and misses an edit made before it re-scanned). Best effort: without it, changes
   * made through the bridge are still announced.
   */
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    void this.#watchTree("");
  }

  async #watchTree(rel: string): Promise<void> {
    if (!this.#watching || this.#watchers.has(rel)) return;
    const dir = rel ? path.join(this.root, ...rel.split("/")) : this.root;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (event, filename) => {
        if (!filename || filename.startsWith(".")) return;
        const name = rel ? `${rel}/${filename}` : filename;
        if (/\.md$/i.test(name)) this.#schedule(name);
        else if (event === "rename") void this.#watchTree(name); // perhaps a new folder
      });
    } catch {
      return; // not a folder (or gone)
    }
    watcher.on("error", () => {
      watcher.close();
      this.#watchers.delete(rel);
    });
    this.#watchers.set(rel, watcher);
    // A folder removed as it is watched has no entries.
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries)
      if (e.isDirectory() && !e.name.startsWith("."))
        await this.#watchTree(rel ? `${rel}/${e.name}` : e.name);
  }

  #schedule(name: string): void {
    clearTimeout(this.#pending.get(name));
    const timer = setTimeout(() => {
      this.#pending.delete(name);
      void this.#noticed(name);
    }, 50);
    timer.unref();
    this.#pending.set(name, timer);
  }

  close(): void {
    this.#watching = false;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    for (const t of this.#pending.values()) clearTimeout(t);
    this.#pending.clear();
  }

  async #noticed(name: string): Promise<void> {
    const now = await signature(path.join(this.root, ...name.split("/")));
    const before = this.#announced.get(name);
    if (before === now) return;
    this.#announce({ name, kind: now === "" ? "deleted" : !before ? "created" : "updated" }, now);
  }

  #announce(change: NoteChange, seen: string): void {
    this.#announced.set(change.name, seen);
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // a session gone meanwhile
      }
    }
  }

  /** Listen to changes made through the bridge; returns the unsubscribe function. */
  onChange(listener: (change: NoteChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async resolve(input: string): Promise<{ name: string; file: string }> {
    await makeFolder(this.root);
    const p = notePath(this.root, input);
    await this.#assertInside(p.file);
    return p;
  }

  async write(
    input: string,
    content: string,
    mode: "overwrite" | "append" | "create",
  ): Promise<{ name: string; bytes: number; created: boolean } | { refused: string }> {
    const { name, file } = await this.resolve(input);
    return this.#queue.run(name, async () => {
      const previous = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
        return null;
      });
      if (mode === "create" && previous !== null) return { refused: `The note ${name} already exists.` };
      const text = mode === "append" && previous !== null ? previous + content : content;
      const bytes = Buffer.byteLength(text);
      if (bytes > MAX_NOTE_BYTES)
        return { refused: `The note would be ${bytes} bytes; the limit is ${MAX_NOTE_BYTES}.` };
      await writePrivateFile(file, text);
      this.#announce({ name, kind: previous === null ? "created" : "updated" }, await signature(file));
      return { name, bytes, created: previous === null };
    });
  }

  /** A note as notes_read gives it: what the list says of it, and its text. */
  async read(input: string): Promise<NoteInfo & { content: string }> {
    const { name, file } = await this.resolve(input);
    const [content, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    return { path: name, content, bytes: info.size, updatedAt: info.mtime.toISOString() };
  }

  async remove(input: string): Promise<string> {
    const { name, file } = await this.resolve(input);
    return this.#queue.run(name, async () => {
      await stat(file);
      await removePath(file);
      this.#announce({ name, kind: "deleted" }, await signature(file));
      return name;
    });
  }

  async list(prefix = ""): Promise<NoteInfo[]> {
    await makeFolder(this.root);
    const notes: NoteInfo[] = [];
    for (const entry of await readdir(this.root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.md$/i.test(entry.name)) continue;
      const full = path.join(entry.parentPath, entry.name);
      const name = path.relative(this.root, full).split(path.sep).join("/");
      if (name.split("/").some((s) => s.startsWith(".")) || !name.startsWith(prefix)) continue;
      // A note removed while listed is not listed.
      const info = await stat(full).catch(() => undefined);
      if (info) notes.push({ path: name, bytes: info.size, updatedAt: info.mtime.toISOString() });
    }
    notes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return notes;
  }

  /** An error as a message for the client: known ones in words, never the folder's absolute path. */
  explain(error: unknown): string | undefined {
    if (error instanceof NotePathError) return error.message;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "No such note.";
    if (code === "ENAMETOOLONG") return "That note path is too long for this file system.";
    if (code === "EISDIR") return "That path is a folder, not a note.";
    if (code === "ENOTDIR") return "A part of that path is a note, not a folder.";
    if (code === "EACCES" || code === "EPERM") return "The notes folder refuses that (permissions).";
  }

  /** Any other error's message, the folder's absolute path replaced by "notes/". */
  redact(message: string): string {
    return message.split(this.root).join("notes").split(path.dirname(this.root)).join("<state>");
  }

  /** Refuse a path that leaves the folder by a symbolic link: its nearest existing folder is inside. */
  async #assertInside(file: string): Promise<void> {
    let dir = path.dirname(file);
    let real = await realpath(dir).catch(() => undefined); // not made yet: look at its parent
    while (real === undefined) {
      dir = path.dirname(dir);
      real = await realpath(dir).catch(() => undefined); // the root exists (resolve made it)
    }
    const rel = path.relative(await realpath(this.root), real);
    if (rel.startsWith("..") || path.isAbsolute(rel))
      throw new NotePathError("That note path leaves the notes folder.");
    // No file yet (a new note) is no link.
    if ((await lstat(file).catch(() => undefined))?.isSymbolicLink())
      throw new NotePathError("That note is a symbolic link.");
  }
}

/** A file's inode, size and mtime, or "" when it does not exist. */
function signature(file: string): Promise<string> {
  return stat(file).then(
    (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
    () => "",
  );
}

/** Runs tasks one after another per key (a note's name): a write and a removal of one note never interleave. */
export class KeyedQueue {
  #tails = new Map<string, Promise<void>>();

  run<R>(key: string, task: () => Promise<R>): Promise<R> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail: Promise<void> = next
      // The task's failure is its caller's: the tail only orders the next task, and forgets itself.
      .catch(() => {})
      .then(() => {
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      });
    this.#tails.set(key, tail);
    return next;
  }
}
