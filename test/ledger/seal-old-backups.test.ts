/**
 * sealOldBackups reads a folder's unsealed backups once per set of keys: checked against the same
 * keys (the store unchanged), a writing sync reads none of them again; once the keys change, every
 * one is read again and a key found is sealed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { keepBackup, sealOldBackups } from "../../src/core/ledger/backups.js";
import { keysChangeMark, updateSecrets } from "../../src/core/manifest/secrets-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const KEY = "sk-live-9Xc2Vb7Nm4Qw";
const OTHER = "other-value-123456";
const target = {
  key: "linux:claude-code:user:/x/.claude.json",
  env: "linux",
  client: "claude-code",
  scope: "user",
  path: "/x/.claude.json",
};

test("a folder checked against the keys is not read again until they change; then a key in it is sealed", async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-seal-"));
  dirs.push(home);
  const backups = path.join(home, "backups");
  const secrets = path.join(home, "secrets.json");
  await updateSecrets(secrets, () => ({ OTHER }));
  const keys = async () => ({ OTHER });
  // A backup taken before the key was stored: it holds no key the store knows yet.
  const file = await keepBackup(backups, target, '{"a":1}\n', new Date("2026-01-01T00:00:00Z"), {
    owned: [],
    keys,
  });
  await sealOldBackups(backups, keys, keysChangeMark(secrets));
  // Unchanged keys: the folder is not read again. (A text that could not be there shows it: were
  // the file read, the key in it would be sealed.)
  writeFileSync(file, `{"a":"${OTHER}"}\n`);
  await sealOldBackups(backups, keys, keysChangeMark(secrets));
  expect(readFileSync(file, "utf8")).toContain(OTHER);
  // A key stored: the store's mark and names change, and the backup is read again and sealed.
  await updateSecrets(secrets, () => ({ OTHER, API_KEY: KEY }));
  const withKey = async () => ({ OTHER, API_KEY: KEY });
  await sealOldBackups(backups, withKey, keysChangeMark(secrets));
  expect(readFileSync(file, "utf8")).not.toContain(OTHER);
  const index = JSON.parse(readFileSync(path.join(path.dirname(file), "target.json"), "utf8"));
  expect(index.sealed[path.basename(file)]).toEqual(["OTHER"]);
  // A value changed under the same name is seen too (the store's file was written again).
  const ROTATED = "sk-live-Rotated55Zz";
  const older = await keepBackup(backups, target, '{"b":2}\n', new Date("2026-01-02T00:00:00Z"), {
    owned: [],
    keys: withKey,
  });
  writeFileSync(older, `{"b":"${ROTATED}"}\n`);
  await updateSecrets(secrets, () => ({ OTHER, API_KEY: ROTATED }));
  await sealOldBackups(backups, async () => ({ OTHER, API_KEY: ROTATED }), keysChangeMark(secrets));
  expect(readFileSync(older, "utf8")).not.toContain(ROTATED);
});
