/**
 * Command lines inside config entries: `cmd /c "npx -y pkg"`, `bash -lc 'exec npx pkg'`. Pure
 * splitters for the two quoting rules (cmd.exe's and the POSIX shell's), refusing anything that
 * needs a real shell to mean what it says (pipes, redirections, expansions).
 */

/**
 * Split a cmd.exe command line: whitespace separates, double quotes group ("" is a quote).
 * Undefined when cmd.exe would do more than split it (&, |, <, >, ^, % outside quotes) or a quote
 * is left open; `cmdLineWords` splits such a line anyway, for a best guess at what runs.
 */
export function splitCmdLine(line: string): string[] | undefined {
  if (/[&|<>^%]/.test(line.replace(/"[^"]*"/g, ""))) return undefined;
  return cmdLineWords(line);
}

/** The words of a cmd.exe command line, operators and all; undefined when a quote is left open. */
export function cmdLineWords(line: string): string[] | undefined {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(c)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quoted) return undefined;
  if (started) out.push(current);
  return out;
}

/**
 * Split one POSIX shell command (no operators): quotes and backslashes as sh reads them. Returns
 * undefined when the words would be expanded or redirected by a shell ($, `, globs, |, <, >).
 */
export function splitShellWords(line: string): string[] | undefined {
  const out: string[] = [];
  let current = "";
  let started = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] ?? "";
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return undefined;
      current += line.slice(i + 1, end);
      started = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const d = line[j] ?? "";
        if (d === "$" || d === "`") return undefined;
        if (d === "\\" && j + 1 < line.length && /["\\$`]/.test(line[j + 1] ?? "")) {
          current += line[j + 1];
          j++;
        } else current += d;
      }
      if (j >= line.length) return undefined;
      started = true;
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 >= line.length) return undefined;
      current += line[i + 1];
      started = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (started) out.push(current);
      current = "";
      started = false;
      i++;
    } else if (/[$`|<>*?(){}[\]!#~]/.test(c) && !(c === "~" && started)) {
      return undefined;
    } else {
      current += c;
      started = true;
      i++;
    }
  }
  if (started) out.push(current);
  return out;
}

/**
 * A shell script as a list of simple commands joined by `&&` or `;` (quotes respected).
 * Undefined when it uses any other operator.
 */
export function splitShellCommands(script: string): string[] | undefined {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i] ?? "";
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') {
        current += c + (script[i + 1] ?? "");
        i++;
        continue;
      }
      current += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === "\\") {
      current += c + (script[i + 1] ?? "");
      i++;
    } else if (c === "&" && script[i + 1] === "&") {
      parts.push(current);
      current = "";
      i++;
    } else if (c === ";" || c === "\n") {
      parts.push(current);
      current = "";
    } else if (c === "|" || c === "&") {
      return undefined;
    } else current += c;
  }
  if (quote) return undefined;
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}
