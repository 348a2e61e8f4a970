/** The program a launch line names (pure): its name, whether it is node, a batch file, under nvm. */

/** `C:\Program Files\nodejs\npx.cmd` → `npx.cmd`. Lower case. */
export function baseName(command: string): string {
  return (command.split(/[\\/]/).pop() ?? command).toLowerCase();
}

/**
 * What a program is called, the one rule doctor and import share: `C:\x\NPX.CMD` or
 * `/usr/bin/npx` → `npx` (lower case, without .exe/.cmd/.bat/.com/.ps1).
 */
export function programName(command: string): string {
  return baseName(command).replace(/\.(exe|cmd|bat|com|ps1)$/, "");
}

export function isBatchFile(command: string): boolean {
  return /\.(cmd|bat)$/i.test(command);
}

export function isNodeProgram(command: string): boolean {
  return /^node(js)?$/.test(programName(command));
}

/** Does a path sit under a version manager's folder (nvm, fnm, volta, asdf, n)? */
export function underVersionManager(p: string): string | undefined {
  const m = /[\\/](\.nvm|\.fnm|fnm|\.volta|\.asdf|\.n|nvm)[\\/]/i.exec(p);
  if (!m) return undefined;
  const name = (m[1] ?? "").replace(/^\./, "").toLowerCase();
  return name === "n" ? "n" : name;
}
