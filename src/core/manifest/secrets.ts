/**
 * The secrets file: HOME/secrets.json, mode 0600, never inside a project folder. Values are only
 * ever read to be written into user-level client configs; they never reach argv, logs or output.
 */
import { UsageError } from "../errors.js";
import { readTextOrNull, writePrivateFile } from "../files.js";

export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface SecretsFile {
  version: 1;
  secrets: Record<string, string>;
}

export async function loadSecrets(file: string): Promise<Record<string, string>> {
  const text = await readTextOrNull(file);
  if (text === null || text.trim() === "") return {};
  let data: SecretsFile;
  try {
    data = JSON.parse(text) as SecretsFile;
  } catch {
    // Never echo the content: it is secret.
    throw new UsageError("secrets-parse", `${file} is not valid JSON.`, {
      location: { file },
      hint: "Fix or delete it, then set the secrets again with `mcp-twin secret set NAME`.",
    });
  }
  const secrets =
    data && typeof data === "object" && data.secrets && typeof data.secrets === "object" ? data.secrets : {};
  return Object.fromEntries(
    Object.entries(secrets).filter(([k, v]) => SECRET_NAME.test(k) && typeof v === "string"),
  );
}

export async function saveSecrets(file: string, secrets: Record<string, string>): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)));
  const data: SecretsFile = { version: 1, secrets: sorted };
  await writePrivateFile(file, `${JSON.stringify(data, null, 2)}\n`);
}

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new UsageError("secret-name", `"${name}" is not a valid secret name.`, {
      hint: "Use letters, digits and _, starting with a letter or _ (e.g. TAVILY_API_KEY).",
    });
  }
}
