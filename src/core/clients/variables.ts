/**
 * How a client expands the references in an entry's values (`${VAR}`, `${env:VAR}`, `$VAR`): each
 * client module names its syntax, and doctor and import read entries the way that client does.
 */

/** Variables available to a client when it expands an entry. */
export interface ExpandContext {
  vars: (name: string) => string | undefined;
  home: string;
  project?: string;
}

/** What expanding found: references the client expands but which are not set, and text it passes literally. */
interface ExpandFound {
  unset: string[];
  literal: string[];
}

export interface VariableSyntax {
  /** A value as the client hands it to the server, its references expanded the client's way. */
  expand(text: string, ctx: ExpandContext, found: ExpandFound): string;
  /** `$NAME` without braces is a reference too. */
  bare?: true;
}

/** Nothing is expanded: values go to the server as written (Codex passes variables by name instead). */
export const NO_EXPANSION: VariableSyntax = { expand: (text) => text };

/** Nothing is expanded, and a `${…}` in a value reaches the server literally (Claude Desktop). */
export const LITERAL: VariableSyntax = {
  expand(text, _ctx, found) {
    for (const m of text.matchAll(/\$\{[^}]*\}/g)) found.literal.push(m[0]);
    return text;
  },
};

/** `${VAR}` and `${VAR:-default}`, as a shell does (Claude Code). */
export const SHELL_BRACES: VariableSyntax = {
  expand: (text, ctx, found) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name, dflt) => {
      const v = ctx.vars(name);
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      found.unset.push(name);
      return whole;
    }),
};

/** `${VAR}` and `$VAR` (Gemini CLI). */
export const SHELL_BARE: VariableSyntax = {
  bare: true,
  expand: (text, ctx, found) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a, b) => {
      const name = (a ?? b) as string;
      const v = ctx.vars(name);
      if (v === undefined) found.unset.push(name);
      return v ?? whole;
    }),
};

/** VS Code's variables: `${env:VAR}`, `${userHome}`, `${workspaceFolder}`, `${input:…}` (VS Code, Cursor, Windsurf). */
export const EDITOR: VariableSyntax = {
  expand: (text, ctx, found) =>
    text.replace(
      /\$\{(env:([A-Za-z_][A-Za-z0-9_]*)|userHome|workspaceFolder|input:[^}]*)\}/g,
      (whole, what, name) => {
        if (name) {
          const v = ctx.vars(name);
          if (v === undefined) found.unset.push(name);
          return v ?? whole;
        }
        if (what === "userHome") return ctx.home;
        if (what === "workspaceFolder" && ctx.project) return ctx.project;
        found.unset.push(what);
        return whole;
      },
    ),
};

/** `${VAR}` only (no default syntax); an unset one stays as written (Amp, seen with amp mcp doctor). */
export const BRACES_ONLY: VariableSyntax = {
  expand: (text, ctx, found) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const v = ctx.vars(name);
      if (v === undefined) found.unset.push(name);
      return v ?? whole;
    }),
};

/**
 * `{env:VAR}`, replaced in the file's whole text before it is parsed; an unset one becomes empty
 * (opencode and the Kilo CLI, which forked it).
 */
export const OPENCODE: VariableSyntax = {
  expand: (text, ctx, found) =>
    text.replace(/\{env:([^}]+)\}/g, (_whole, name: string) => {
      const v = ctx.vars(name);
      if (v === undefined) found.unset.push(name);
      return v ?? "";
    }),
};
/**
 * `${env:VAR}` only; an unset one stays as written (Cline: apps/vscode/src/utils/envExpansion.ts at
 * cline/cline@21cb8d25). With `folder`, `${workspaceFolder}` too (Roo Code and Zoo Code:
 * src/utils/config.ts injectVariables, called with `env` and `workspaceFolder` by McpHub).
 */
export function envColon(folder: boolean): VariableSyntax {
  return {
    expand: (text, ctx, found) =>
      text.replace(/\$\{(env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*|workspaceFolder)\}/g, (whole, what, name) => {
        if (name) {
          const v = ctx.vars(name);
          if (v === undefined) found.unset.push(name);
          return v ?? whole;
        }
        if (!folder) {
          found.literal.push(whole);
          return whole;
        }
        if (ctx.project) return ctx.project;
        found.unset.push(what);
        return whole;
      }),
  };
}
