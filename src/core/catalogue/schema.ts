/**
 * The catalogue's template format (templates/*.jsonc). A template is data: a manifest server with
 * `${input:NAME}` placeholders, the inputs that fill them and the secrets it needs. The JSON Schema
 * in schema/template.schema.json is generated from this.
 */
import { z } from "zod";
import { clientId, envSelector, REMOTE_TRANSPORTS, SHARE_MODES } from "../manifest/schema.js";
import { own } from "../plain-records.js";

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lower-case letters, digits and -")
  .describe("The server name it gets in the manifest (and what `mcp-twin add <name>` takes).");

export const inputSchema = z
  .strictObject({
    type: z
      .enum(["folder", "url", "string"])
      .describe("folder: must exist; url: must parse; string: matches `pattern` when given."),
    description: z.string().min(1),
    default: z.string().optional().describe("Offered first; `~` means the user's home."),
    pattern: z.string().optional().describe("A regular expression a string answer must match."),
    optional: z.boolean().optional(),
  })
  .describe("A value the user supplies, used as ${input:NAME} in the server's strings.");

export const secretSpecSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    description: z.string().min(1).describe("What it is for."),
    url: z.string().url().describe("Where to get one."),
    pattern: z
      .string()
      .optional()
      .describe("A regular expression a real value matches (a known prefix, a length)."),
    example: z.string().optional().describe("What one looks like, never a real value."),
    optional: z
      .boolean()
      .optional()
      .describe("The server works without it; the entry drops what refers to it."),
  })
  .describe("A secret the server needs, referenced as ${secret:NAME}.");

/** The server part: the manifest's server fields, strings not yet validated (placeholders). */
const templateServer = z.strictObject({
  package: z.string().optional(),
  bin: z.string().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  url: z.string().optional(),
  transport: z.enum(REMOTE_TRANSPORTS).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  environments: z.array(envSelector).optional(),
  clients: z.array(clientId).optional(),
});

export const templateSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name,
    title: z.string().min(1),
    description: z.string().min(1),
    homepage: z.string().url(),
    categories: z.array(z.string()).default([]),
    runtime: z
      .enum(["node", "python", "remote", "docker"])
      .describe("What it needs where it runs: node (installed by sync), python (uvx), remote, docker."),
    server: templateServer,
    inputs: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), inputSchema).optional(),
    secrets: z.array(secretSpecSchema).optional(),
    notes: z.string().optional(),
    budget: z
      .strictObject({
        tools: z.number().int().nonnegative(),
        tokens: z.number().int().nonnegative(),
      })
      .optional()
      .describe(
        "Its tools and their definitions' size in tokens, measured with `mcp-twin tools` at the package's version: init's plan shows each client's budget from it.",
      ),
    share: z
      .strictObject({
        // "off": its key stays in each client's entry even when it has one (else shared per machine).
        mode: z.enum([...SHARE_MODES, "off"]),
        why: z.string().min(1).describe("One line: why this mode suits the server (add and init say it)."),
      })
      .optional()
      .describe(
        "How many processes of it run once added (the manifest's share): machine (state meant to be common, or none), project, session (per-conversation state), off (each client starts its own, its key in its entry). A server shared keeps its key in the home: the bridge adds it.",
      ),
  })
  .superRefine((t, ctx) => {
    if (t.share?.mode === "project" && t.server.url !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["share"],
        message: 'a url server has no project folder: share it "machine" or "session"',
      });
    const kinds = (["package", "command", "url"] as const).filter((k) => t.server[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: "custom",
        path: ["server"],
        message: "needs exactly one of package, command or url",
      });
    const text = JSON.stringify(t.server);
    for (const m of text.matchAll(/\$\{input:([A-Za-z0-9_]+)\}/g)) {
      if (!own(t.inputs, m[1] ?? ""))
        ctx.addIssue({
          code: "custom",
          path: ["inputs"],
          message: `\${input:${m[1]}} is used but not declared`,
        });
    }
    for (const m of text.matchAll(/\$\{secret:([A-Za-z0-9_]+)\}/g)) {
      if (!t.secrets?.some((s) => s.name === m[1]))
        ctx.addIssue({
          code: "custom",
          path: ["secrets"],
          message: `\${secret:${m[1]}} is used but not declared`,
        });
    }
  })
  .describe("An mcp-twin catalogue entry.");

export type Template = z.infer<typeof templateSchema>;
export type TemplateInput = z.infer<typeof inputSchema>;
export type SecretSpec = z.infer<typeof secretSpecSchema>;
/** A secret to ask for where there may be no page to get one (an MCP Registry server's). */
export type SecretAsk = Omit<SecretSpec, "url"> & { url?: string };
/**
 * What `instantiate` and the questions need: a catalogue template, or one made from an MCP
 * Registry server.json (whose secrets may name no page to get them).
 */
export type ServerTemplate = Omit<Template, "secrets"> & { secrets?: SecretAsk[] | undefined };

export function templateJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(templateSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>),
    title: "mcp-twin catalogue template",
  };
}
