/**
 * The OS keychain as a secret store: the Secret Service (Linux), Keychain (macOS), Credential
 * Manager (Windows, and from WSL through interop), through @napi-rs/keyring's prebuilt binary.
 * A machine where it does not load or no keychain answers gets a reason, never an error.
 */
import { createRequire } from "node:module";
import { detectLocal, type LocalInfo } from "../environments/local.js";
import { wslToWindows } from "../environments/path-translation.js";
import { windowsInteropFromWsl } from "../environments/windows.js";
import { getEnv, type Host, runHost } from "../system/host.js";
import { wslCredentials } from "./wsl-credentials.js";

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

/** The calls of one back, for one home's service. */
type Back = Omit<Keychain, "label">;

/**
 * The keychain, when one answers: its list of this home's keys is read once here, to know. Off
 * with MCP_TWIN_KEYCHAIN=off (a headless machine whose keychain would prompt). The host is this
 * run's by default (runHost): the native library reads this process's own environment (its D-Bus
 * address) all the same. Inside WSL it is Windows' Credential Manager, the one both sides of a shared home reach.
 */
export async function openKeychain(homeDir: string, host: Host = runHost()): Promise<KeychainOpened> {
  if (getEnv(host.env, "MCP_TWIN_KEYCHAIN") === "off") return { unavailable: "MCP_TWIN_KEYCHAIN=off" };
  const local =
    process.platform === "linux" && host.platform === "linux" ? await detectLocal(host) : undefined;
  if (local?.kind === "wsl") return answering(LABELS.win32 as string, wslBack(homeDir, host, local));
  const label = LABELS[process.platform];
  if (!label) return { unavailable: `no keychain is known on ${process.platform}` };
  const lib = keyring();
  if (typeof lib === "string") return { unavailable: lib };
  const service = keychainService(homeDir);
  return answering(label, {
    list: async () => {
      const keys: Record<string, string> = Object.create(null);
      for (const c of await lib.findCredentialsAsync(service)) keys[c.account] = c.password;
      return keys;
    },
    set: (name, value) => new lib.AsyncEntry(service, name).setPassword(value),
    remove: async (name) => void (await new lib.AsyncEntry(service, name).deleteCredential()),
  });
}

/**
 * Inside WSL: powershell.exe through interop, under the service Windows names the home by (a home
 * on C: is `mcp-twin:C:\Users\…\mcp-twin` from both sides). No interop: the reason, said.
 */
function wslBack(homeDir: string, host: Host, local: LocalInfo): Back | string {
  if (!local.interop)
    return `Windows' Credential Manager is reached from WSL through interop, and ${local.interopReason ?? "interop is off"}`;
  const windowsHome = wslToWindows(homeDir, local.mountRoot, local.distro ?? "WSL");
  const interop = windowsInteropFromWsl(host, local);
  const root = getEnv(host.env, "SYSTEMROOT") ?? "C:\\Windows";
  // By its full path: no powershell.exe planted on PATH is started.
  return wslCredentials(
    `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
    (file, args, options) => interop.exe(file, args, options),
    keychainService(windowsHome),
  );
}

/** A back that answered its first read, as the keychain; else why not. */
async function answering(label: string, back: Back | string): Promise<KeychainOpened> {
  if (typeof back === "string") return { unavailable: back };
  let first: Record<string, string> | undefined;
  try {
    first = await back.list();
  } catch (error) {
    // A locked one (at logon, before the session unlocks it) answers, with an error and no key.
    const state = /IsLocked/.test(String(error)) ? "is locked" : "did not answer";
    return { unavailable: `${label} ${state} (${firstLine(error)})` };
  }
  const keychain: Keychain = {
    label,
    // The first read is the one made to know it answers: a run reads each key once.
    list: async () => {
      const keys = first ?? (await back.list());
      first = undefined;
      return keys;
    },
    set: async (name, value) => {
      first = undefined;
      await back.set(name, value);
    },
    remove: async (name) => {
      first = undefined;
      await back.remove(name);
    },
  };
  return { keychain };
}
