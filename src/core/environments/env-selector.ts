/** Whether an environment selector (`--env`, the manifest's `environments`) names an environment id. */

/** True for environment ids matched by a selector: `wsl` matches every `wsl:*`. */
export function envMatches(selector: string, envId: string): boolean {
  if (selector === envId) return true;
  if (selector === "wsl") return envId.startsWith("wsl:");
  return selector.toLowerCase() === envId.toLowerCase();
}
