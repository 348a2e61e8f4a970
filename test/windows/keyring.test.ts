/**
 * The keychain's Windows back with the real thing (../shared/win-wine): @napi-rs/keyring's win32
 * binary in the official node.exe under wine stores a key in Credential Manager and reads it back,
 * and keeps it as the WSL back (core/manifest/wsl-credentials.ts) writes one — target
 * `<name>.mcp-twin:<home>`, user name `<name>`, generic, persisted — so the two sides share keys.
 * Opt-in (MCP_TWIN_WINE=1, `npm run test:windows`); it fetches the win32 binary with npm.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPO } from "../helpers/fake-machine.js";
import { findTestBed, type WineDrive, wineDrive } from "../helpers/win-wine.js";

const bed = findTestBed();
const skip = !process.env.MCP_TWIN_WINE
  ? "set MCP_TWIN_WINE=1 (or run `npm run test:windows`): it needs wine"
  : "reason" in bed
    ? bed.reason
    : undefined;
if (skip) console.warn(`the Windows keychain test is skipped: ${skip}`);

const VERSION = JSON.parse(
  readFileSync(path.join(REPO, "node_modules", "@napi-rs", "keyring", "package.json"), "utf8"),
).version as string;
let w: WineDrive;
const scratch = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-keyring-win-"));

/**
 * bcryptprimitives.dll, which wine 8.0 lacks and Rust's standard library imports (ProcessPrng, its
 * random source): a DLL of one export forwarded to advapi32's RtlGenRandom (SystemFunction036),
 * which takes the same two arguments. No code of its own: headers and an export table.
 */
function forwarderDll(): Buffer {
  const va = 0x1000;
  const strings = ["bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036"].map((s) =>
    Buffer.from(`${s}\0`),
  );
  const section = Buffer.alloc(0x200);
  const at = [50];
  for (const s of strings) at.push(at.at(-1)! + s.length);
  // Export directory: name, base 1, one function, one name; then its three tables.
  section.writeUInt32LE(va + at[0]!, 12);
  for (const [i, v] of [1, 1, 1, va + 40, va + 44, va + 48].entries()) section.writeUInt32LE(v, 16 + i * 4);
  section.writeUInt32LE(va + at[2]!, 40); // the function: an address inside the table, so a forwarder
  section.writeUInt32LE(va + at[1]!, 44);
  section.writeUInt16LE(0, 48);
  for (const [i, s] of strings.entries()) s.copy(section, at[i]!);
  const header = Buffer.alloc(0x200);
  header.write("MZ", 0, "latin1");
  header.writeUInt32LE(0x40, 0x3c);
  header.write("PE\0\0", 0x40, "latin1");
  // COFF: x64, one section, a PE32+ optional header of 240 bytes, an executable DLL.
  header.writeUInt16LE(0x8664, 0x44);
  header.writeUInt16LE(1, 0x46);
  header.writeUInt16LE(0xf0, 0x54);
  header.writeUInt16LE(0x2022, 0x56);
  const opt = 0x58;
  header.writeUInt16LE(0x20b, opt);
  header.writeBigUInt64LE(0x180000000n, opt + 24);
  header.writeUInt32LE(0x1000, opt + 32); // section alignment
  header.writeUInt32LE(0x200, opt + 36); // file alignment
  header.writeUInt16LE(6, opt + 40);
  header.writeUInt16LE(6, opt + 48);
  header.writeUInt32LE(0x2000, opt + 56); // size of image
  header.writeUInt32LE(0x200, opt + 60); // size of headers
  header.writeUInt16LE(3, opt + 68);
  header.writeBigUInt64LE(0x100000n, opt + 72);
  header.writeBigUInt64LE(0x1000n, opt + 80);
  header.writeBigUInt64LE(0x100000n, opt + 88);
  header.writeBigUInt64LE(0x1000n, opt + 96);
  header.writeUInt32LE(16, opt + 108);
  header.writeUInt32LE(va, opt + 112); // the export table's place and size
  header.writeUInt32LE(at.at(-1)!, opt + 116);
  const sec = opt + 0xf0;
  header.write(".edata", sec, "latin1");
  for (const [i, v] of [0x200, va, 0x200, 0x200].entries()) header.writeUInt32LE(v, sec + 8 + i * 4);
  header.writeUInt32LE(0x40000040, sec + 36);
  return Buffer.concat([header, section]);
}

beforeAll(() => {
  if (skip) return;
  w = wineDrive((bed as { setup: string }).setup, "keyring", true);
  const system32 = path.join(w.prefix, "drive_c", "windows", "system32");
  if (!existsSync(path.join(system32, "bcryptprimitives.dll")))
    writeFileSync(path.join(system32, "bcryptprimitives.dll"), forwarderDll());
  // The loader from node_modules, and the win32 binary package from the registry (or npm's cache).
  const modules = path.join(w.prefix, "drive_c", "kr", "node_modules", "@napi-rs");
  cpSync(path.join(REPO, "node_modules", "@napi-rs", "keyring"), path.join(modules, "keyring"), {
    recursive: true,
  });
  const [packed] = JSON.parse(
    execFileSync(
      "npm",
      ["pack", "--json", "--prefer-offline", `@napi-rs/keyring-win32-x64-msvc@${VERSION}`],
      {
        cwd: scratch,
        encoding: "utf8",
      },
    ),
  );
  const binary = path.join(modules, "keyring-win32-x64-msvc");
  mkdirSync(binary, { recursive: true });
  execFileSync("tar", ["xzf", path.join(scratch, packed.filename), "-C", binary, "--strip-components=1"]);
}, 900_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (skip) return;
  w.shutdown();
  rmSync(w.dir, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)(`the keychain on Windows${skip ? ` (skipped: ${skip})` : ""}`, () => {
  test("@napi-rs/keyring's win32 binary stores a key in Credential Manager and reads it back, kept as the WSL back keeps one", async () => {
    const home = `C:\\Users\\${w.user}\\AppData\\Roaming\\mcp-twin`;
    const value = "clé-ü-日本-0123456789";
    writeFileSync(
      path.join(w.prefix, "drive_c", "kr", "keys.js"),
      `const k = require("@napi-rs/keyring");
const service = ${JSON.stringify(`mcp-twin:${home}`)};
(async () => {
  await new k.AsyncEntry(service, "FIXTURE_TOKEN").setPassword(${JSON.stringify(value)});
  // By target name: wine's CredEnumerate takes a name prefix and a *, not the *.<service> of Windows.
  console.log(JSON.stringify(await k.findCredentialsAsync(service, "FIXTURE_TOKEN.*")));
})();
`,
    );
    const r = await w.node(["C:\\kr\\keys.js"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ account: "FIXTURE_TOKEN", password: value }]);
    // Wine keeps Credential Manager in the user's registry: one generic credential, named as
    // wsl-credentials.ts names it, its user name the key's name, persisted across logons (3).
    // wineserver writes the registry out when it ends (a few seconds after its last process).
    execFileSync("wineserver", ["-w"], { env: { ...process.env, WINEPREFIX: w.prefix } });
    const reg = readFileSync(path.join(w.prefix, "user.reg"), "latin1").replace(/\\\\/g, "\\");
    const block = reg.split(/\n(?=\[)/).find((b) => b.includes(`@="FIXTURE_TOKEN.mcp-twin:${home}"`));
    expect(block, "the credential in wine's registry").toBeDefined();
    expect(block).toContain('"UserName"="FIXTURE_TOKEN"');
    expect(block).toContain('"Type"=dword:00000001');
    expect(block).toContain('"Persist"=dword:00000003');
  });
});
