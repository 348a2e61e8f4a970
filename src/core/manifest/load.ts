/**
 * Find, read and validate the manifest. Every error names the file, line:column and the field,
 * and all of them are reported at once.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { findNodeAtLocation, getNodeValue, type Node, type ParseError, parseTree } from "jsonc-parser";
import type { z } from "zod";
import { lineColumnAt, UsageError, UsageErrors } from "../errors.js";
import { readTextOrNull } from "../files.js";
import { type Manifest, manifestSchema } from "./schema.js";

export const PROJECT_MANIFEST = "mcp-twin.jsonc";

export interface LoadedManifest {
  file: string;
  /** The file did not exist: an empty manifest stands in for it. */
  missing: boolean;
  text: string | null;
  manifest: Manifest;
}

/** `--manifest`, else ./mcp-twin.jsonc when present, else HOME/mcp-twin.jsonc. */
export function locateManifest(options: {
  manifest?: string | undefined;
  cwd: string;
  homeManifest: string;
}): string {
  if (options.manifest) return path.resolve(options.cwd, options.manifest);
  const project = path.join(options.cwd, PROJECT_MANIFEST);
  if (existsSync(project)) return project;
  return options.homeManifest;
}

export async function loadManifest(
  file: string,
  options: { required?: boolean } = {},
): Promise<LoadedManifest> {
  const text = await readTextOrNull(file);
  if (text === null) {
    if (options.required) {
      throw new UsageError("no-manifest", `No manifest at ${file}.`, {
        location: { file },
        hint: "Run `mcp-twin init` to create one, or pass --manifest <path>.",
      });
    }
    return { file, missing: true, text: null, manifest: manifestSchema.parse({}) };
  }
  return { file, missing: false, text, manifest: parseManifestText(text, file) };
}

export function parseManifestText(raw: string, file: string): Manifest {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: true,
  });
  if (errors.length > 0) {
    throw new UsageErrors(
      errors.slice(0, 5).map((e) => {
        const { line, column } = lineColumnAt(text, e.offset);
        return new UsageError(
          "manifest-parse",
          `${file}:${line}:${column}: the manifest is not valid JSON (JSONC).`,
          {
            location: { file, line, column },
            hint: "Fix the syntax at that position; comments and trailing commas are allowed.",
          },
        );
      }),
    );
  }
  const value = root ? getNodeValue(root) : {};
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageErrors(result.error.issues.map((issue) => issueToError(issue, text, root, file)));
}

function issueToError(
  issue: z.core.$ZodIssue,
  text: string,
  root: Node | undefined,
  file: string,
): UsageError {
  const fieldPath = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // Point at the deepest node that exists: the field itself, or the object missing it.
  let node: Node | undefined;
  for (let n = fieldPath.length; n >= 0 && !node; n--)
    node = root ? findNodeAtLocation(root, fieldPath.slice(0, n)) : undefined;
  const at = node
    ? node.parent?.type === "property" && node.parent.children?.[1] === node
      ? node.parent.offset
      : node.offset
    : 0;
  const { line, column } = lineColumnAt(text, at);
  const field = fieldPath.length > 0 ? fieldPath.join(".") : "(top level)";
  let message = issue.message;
  if (issue.code === "unrecognized_keys")
    message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return new UsageError("manifest-invalid", `${file}:${line}:${column}: ${field}: ${message}`, {
    location: { file, line, column },
    hint: "See the manifest section of the README (or let your editor check it against the $schema).",
  });
}
