/**
 * zod schemas of mcp-twin's own files (state, secrets, the bookkeeping beside each target's backups),
 * loaded only when one of them is checked (see checked-json.ts).
 */
import { z } from "zod";

const entryRecord = z.looseObject({
  hash: z.string(),
  pending: z.array(z.string()).optional(),
  handWritten: z.string().optional(),
  keyless: z.string().optional(),
});

const targetRecord = z.looseObject({
  env: z.string(),
  client: z.string(),
  scope: z.string(),
  path: z.string(),
  entries: z.record(z.string(), entryRecord),
  lastRun: z
    .looseObject({
      at: z.string(),
      run: z.string().optional(),
      backup: z.string().optional(),
      touched: z.array(z.string()),
    })
    .optional(),
});

/**
 * Objects are loose where other versions of mcp-twin may add fields: unknown fields are kept, known
 * ones must have the right type.
 */
export const stateSchema = z.looseObject({
  version: z.number().int().min(0).optional(), // absent: an early state, migrated
  packages: z
    .record(z.string(), z.looseObject({ spec: z.string(), version: z.string(), resolvedAt: z.string() }))
    .optional(),
  installs: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  installedFor: z.record(z.string(), z.record(z.string(), z.array(z.string()))).optional(),
  targets: z.record(z.string(), targetRecord).optional(),
  trusted: z.record(z.string(), z.looseObject({ hash: z.string(), at: z.string() })).optional(),
  lastChange: z
    .looseObject({
      run: z.string(),
      at: z.string(),
      by: z.string(),
      retired: z.looseObject({ autostart: z.string().optional() }).optional(),
    })
    .optional(),
  autostart: z
    .looseObject({
      kind: z.enum(["systemd", "launchd", "windows-task", "xdg-autostart"]),
      env: z.string(),
      file: z.string(),
      name: z.string(),
      format: z.number().optional(),
    })
    .optional(),
  said: z.record(z.string(), z.string()).optional(),
});

const secretName = z
  .string()
  // The rule of manifest/secrets-file.ts (SECRET_NAME), spelled here so this module shares no code
  // with the ones every run loads (it is loaded only when a file changed).
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "is not a valid secret name (letters, digits and _, not starting with a digit)",
  );

export const secretsSchema = z.strictObject({
  version: z.literal(1),
  secrets: z.record(secretName, z.string()),
  store: z.literal("keychain").optional(),
  accepted: z.record(secretName, z.string()).optional(),
});

/** `backups/<slug>/target.json`: which target the folder holds, and who owned what in each backup. */
export const backupIndexSchema = z.looseObject({
  version: z.number().int().min(1),
  key: z.string(),
  env: z.string(),
  client: z.string(),
  scope: z.string(),
  path: z.string(),
  owned: z.record(z.string(), z.array(z.string())),
  edited: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  sealed: z.record(z.string(), z.array(z.string())).optional(),
});

/** `backups/<slug>/hand-written.json`: entries as the user wrote them before mcp-twin adopted them. */
export const handWrittenSchema = z.looseObject({
  version: z.number().int().min(1).optional(),
  entries: z.record(z.string(), z.unknown()),
});

/** The first problem zod finds, as a path into the data and a message without values. */
export function firstIssue(
  schema: z.ZodType,
  data: unknown,
): { path: PropertyKey[]; message: string } | undefined {
  const result = schema.safeParse(data);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  if (!issue) return { path: [], message: "invalid" };
  let message = issue.message;
  if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
  if (issue.code === "unrecognized_keys")
    message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return { path: issue.path, message };
}
