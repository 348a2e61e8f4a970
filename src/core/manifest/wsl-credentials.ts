/**
 * Windows' Credential Manager reached from inside WSL: powershell.exe through interop, calling
 * CredEnumerate/CredWrite/CredDelete as @napi-rs/keyring does on Windows, so a key set on either side serves both.
 */
import { decodeWindowsOutput, type RunResult } from "../system/run.js";

/** How a Windows program is started from WSL (core/environments/windows.ts `exe`). */
type StartExe = (
  nativePath: string,
  args: readonly string[],
  options: { input: string; timeoutMs: number },
) => Promise<RunResult>;

/**
 * The script, the same at every call (no key in it: it travels on argv). Its request comes on
 * stdin, each field base64 of UTF-8 — stdin is read in the console's code page, which would mangle
 * a non-ASCII key. Credentials are kept as @napi-rs/keyring keeps them on Windows (its
 * windows-native-keyring-store): a generic credential named `<account>.<service>`, the account as
 * its user name, the value UTF-16LE, persisted for the user across logons ("enterprise").
 */
const SCRIPT = `$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
public static class McpTwinCred {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  struct CREDENTIAL {
    public int Flags; public int Type; public string TargetName; public string Comment;
    public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
    public int CredentialBlobSize; public IntPtr CredentialBlob; public int Persist;
    public int AttributeCount; public IntPtr Attributes; public string TargetAlias; public string UserName;
  }
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredEnumerateW(string filter, int flags, out int count, out IntPtr list);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredWriteW(ref CREDENTIAL credential, int flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredDeleteW(string target, int type, int flags);
  [DllImport("advapi32.dll")]
  static extern void CredFree(IntPtr buffer);
  static string B64(string s) { return Convert.ToBase64String(Encoding.UTF8.GetBytes(s ?? "")); }
  public static List<string> List(string filter) {
    var lines = new List<string>();
    int count; IntPtr list;
    if (!CredEnumerateW(filter, 0, out count, out list)) {
      int error = Marshal.GetLastWin32Error();
      if (error == 1168) return lines;
      throw new System.ComponentModel.Win32Exception(error);
    }
    try {
      for (int i = 0; i < count; i++) {
        var c = (CREDENTIAL)Marshal.PtrToStructure(Marshal.ReadIntPtr(list, i * IntPtr.Size), typeof(CREDENTIAL));
        if (c.Type != 1 && c.Type != 2) continue;
        var blob = new byte[c.CredentialBlobSize];
        if (blob.Length > 0) Marshal.Copy(c.CredentialBlob, blob, 0, blob.Length);
        lines.Add(B64(c.UserName) + " " + B64(Encoding.Unicode.GetString(blob)));
      }
    } finally { CredFree(list); }
    return lines;
  }
  public static void Write(string target, string user, string secret) {
    var blob = Encoding.Unicode.GetBytes(secret);
    var c = new CREDENTIAL { Type = 1, TargetName = target, UserName = user, Persist = 3, CredentialBlobSize = blob.Length };
    c.CredentialBlob = Marshal.AllocHGlobal(Math.Max(blob.Length, 1));
    try {
      Marshal.Copy(blob, 0, c.CredentialBlob, blob.Length);
      if (!CredWriteW(ref c, 0)) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
    } finally { Marshal.FreeHGlobal(c.CredentialBlob); }
  }
  public static void Delete(string target) {
    if (!CredDeleteW(target, 1, 0) && Marshal.GetLastWin32Error() != 1168)
      throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
  }
}
'@
$request = ([Console]::In.ReadToEnd() -replace "\`r", '') -split "\`n"
$f = @($request | Select-Object -Skip 1 | ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_)) })
switch ($request[0]) {
  'list' { [McpTwinCred]::List($f[0]) | ForEach-Object { Write-Output $_ } }
  'set' { [McpTwinCred]::Write($f[0], $f[1], $f[2]) }
  'remove' { [McpTwinCred]::Delete($f[0]) }
}
`;

/** What powershell.exe is started with: the script as -EncodedCommand (UTF-16LE base64). */
const ARGS = [
  "-NoProfile",
  "-NonInteractive",
  "-EncodedCommand",
  Buffer.from(SCRIPT, "utf16le").toString("base64"),
];

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string) => Buffer.from(text, "base64").toString("utf8");

/** A call's first line of error, as powershell.exe prints it (CRLF, maybe UTF-16): said, never a value. */
function failure(result: RunResult): string {
  if (result.spawnError) return `powershell.exe did not start (${result.spawnError})`;
  if (result.timedOut) return "powershell.exe did not answer in time";
  const said = decodeWindowsOutput(result.stderr)
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
  return `powershell.exe failed${said ? `: ${said}` : ` (exit ${result.exitCode})`}`;
}

/** The Credential Manager's calls for one service (`mcp-twin:<home as Windows names it>`). */
export function wslCredentials(powershell: string, start: StartExe, service: string) {
  const call = async (op: string, fields: string[]) => {
    const input = `${[op, ...fields.map(b64)].join("\n")}\n`;
    // Add-Type compiles the helper at each call: a second or two on a busy machine.
    const result = await start(powershell, ARGS, { input, timeoutMs: 60_000 });
    if (result.failed) throw new Error(failure(result));
    return decodeWindowsOutput(result.stdout);
  };
  return {
    async list(): Promise<Record<string, string>> {
      const keys: Record<string, string> = Object.create(null);
      for (const line of (await call("list", [`*.${service}`])).split("\n")) {
        const [name, value] = line.trim().split(" ");
        if (name && value !== undefined) keys[unb64(name)] = unb64(value);
      }
      return keys;
    },
    set: async (name: string, value: string) => void (await call("set", [`${name}.${service}`, name, value])),
    remove: async (name: string) => void (await call("remove", [`${name}.${service}`])),
  };
}
