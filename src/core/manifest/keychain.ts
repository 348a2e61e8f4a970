/**
 * The OS keychain as a secret store: the Secret Service (Linux), Keychain (macOS), Credential
 * Manager (Windows), through @napi-rs/keyring's prebuilt binary, loaded only when secrets are read.
 * A machine where it does not load or no keychain answers gets a reason, never an error.
 */
import { createRequire } from "node:module";

/** What mcp-twin uses of @napi-rs/keyring (its own types are not imported: it is not bundled). */
interface Keyring {
  findCredentialsAsync(service: string): Promise<Array<{ account: string; password: string }>>;
  AsyncEntry: new (
    service: string,
    account: string,
  ) => { setPassword(password: string): Promise<void>; deleteCredential(): Promise<boolean> };
}

/** An answering keychain: every key of one home, read in one call. */
interface Keychain {
  /** How it is said: "the Secret Service", "the macOS Keychain", "Windows' Credential Manager". */
  label: string;
  list(): Promise<Record<string, string>>;
  set(name: string, value: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** A keychain, or why none is used (said where a key is set, by `secret list` and doctor). */
export type KeychainOpened = { keychain: Keychain } | { unavailable: string };

const LABELS: Record<string, string> = {
  linux: "the Secret Service",
  darwin: "the macOS Keychain",
  win32: "Windows' Credential Manager",
};

let loaded: Keyring | string | undefined;

/** The native library, required at run time (an optional dependency, not bundled: its binary is per platform). */
function keyring(): Keyring | string {
  if (loaded !== undefined) return loaded;
  try {
    // A name esbuild does not follow: the package stays in node_modules, beside its binary.
    const id = ["@napi-rs", "keyring"].join("/");
    loaded = createRequire(import.meta.url)(id) as Keyring;
  } catch (error) {
    loaded =
      (error as { code?: unknown })?.code === "MODULE_NOT_FOUND"
        ? "its library is not installed beside mcp-twin (an optional dependency npm could not fetch: `npm install -g @napi-rs/keyring@2.1.2` puts it there)"
        : `its library (@napi-rs/keyring) does not load on this machine (${firstLine(error)})`;
  }
  return loaded;
}

const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).split("\n")[0];

/**
 * The service every key of this home is kept under: one home's keys never mix with another's
 * (a scratch MCP_TWIN_HOME keeps its own).
 */
const keychainService = (homeDir: string) => `mcp-twin:${homeDir}`;

/**
 * The keychain, when one answers: its list of this home's keys is read once here, to know. Off
 * with MCP_TWIN_KEYCHAIN=off (a headless machine whose keychain would prompt).
 */
export async function openKeychain(homeDir: string): Promise<KeychainOpened> {
  if (process.env.MCP_TWIN_KEYCHAIN === "off") return { unavailable: "MCP_TWIN_KEYCHAIN=off" };
  const label = LABELS[process.platform];
  if (!label) return { unavailable: `no keychain is known on ${process.platform}` };
  const lib = keyring();
  if (typeof lib === "string") return { unavailable: lib };
  const service = keychainService(homeDir);
  const read = async () => {
    const found = await lib.findCredentialsAsync(service);
    const keys: Record<string, string> = Object.create(null);
    for (const c of found) keys[c.account] = c.password;
    return keys;
  };
  let first: Record<string, string> | undefined;
  try {
    first = await read();
  } catch (error) {
    return { unavailable: `${label} did not answer (${firstLine(error)})` };
  }
  const keychain: Keychain = {
    label,
    // The first read is the one made to know it answers: a run reads each key once.
    list: async () => {
      const keys = first ?? (await read());
      first = undefined;
      return keys;
    },
    set: async (name, value) => {
      first = undefined;
      await new lib.AsyncEntry(service, name).setPassword(value);
    },
    remove: async (name) => {
      first = undefined;
      await new lib.AsyncEntry(service, name).deleteCredential();
    },
  };
  return { keychain };
}
