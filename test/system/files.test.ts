/** The writer: compare-and-swap replace, backups, the home lock. Real files in temp folders. */

import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { targetSlug } from "../../src/core/clients/targets.js";
import { keepBackup, listBackups } from "../../src/core/ledger/backups.js";
import {
  closeLog,
  makePrivateFolder,
  openLogForAppend,
  replaceFile,
  thisProcess,
  withLock,
  writePrivateFile,
} from "../../src/core/system/files.js";
import { startZombie } from "../helpers/zombie.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("replaceFile", () => {
  test("re-reads just before the rename and merges into what the app wrote meanwhile", async () => {
    const file = path.join(dir, "claude.json");
    writeFileSync(file, '{"numStartups":1}');
    const seen: Array<string | null> = [];
    const result = await replaceFile(file, (current) => {
      seen.push(current);
      // The app rewrites its file while we prepare ours (only the first time).
      if (seen.length === 1) writeFileSync(file, '{"numStartups":2}');
      const doc = JSON.parse(current ?? "{}");
      return JSON.stringify({ ...doc, mcpServers: { twin: {} } });
    });
    expect(seen).toEqual(['{"numStartups":1}', '{"numStartups":2}']);
    expect(result.written).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ numStartups: 2, mcpServers: { twin: {} } });
    expect(readdirSync(dir)).toEqual(["claude.json"]);
  });

  test("keeps the file's mode; new files are private", async () => {
    const file = path.join(dir, "a.json");
    writeFileSync(file, "{}", { mode: 0o640 });
    await replaceFile(file, () => '{"a":1}');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const fresh = path.join(dir, "sub", "b.json");
    await replaceFile(fresh, () => "{}");
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  test("writes nothing when the content would not change", async () => {
    const file = path.join(dir, "a.json");
    writeFileSync(file, "{}");
    const before = statSync(file).mtimeMs;
    expect((await replaceFile(file, (c) => c)).written).toBe(false);
    expect(statSync(file).mtimeMs).toBe(before);
  });
});

test("private files are mode 0600", async () => {
  const file = path.join(dir, "secrets.json");
  await writePrivateFile(file, "{}");
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test("backups keep the newest ten per target, and the original for good", async () => {
  const target = {
    key: "linux|cursor|user|/home/u/.cursor/mcp.json",
    env: "linux",
    client: "cursor",
    scope: "user",
    path: "/home/u/.cursor/mcp.json",
  };
  for (let i = 0; i < 13; i++)
    await keepBackup(dir, target, `v${i}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)), {
      owned: [],
      keys: async () => ({}),
    });
  const folder = path.join(dir, targetSlug(target.key));
  const kept = readdirSync(folder)
    .filter((n) => /^\d/.test(n))
    .sort();
  expect(kept).toHaveLength(10);
  expect(readFileSync(path.join(folder, kept[0]!), "utf8")).toBe("v3");
  expect(statSync(path.join(folder, kept[0]!)).mode & 0o777).toBe(0o600);
  expect(statSync(folder).mode & 0o777).toBe(0o700);
  // Ten syncs later the bytes from before the first one are still there.
  const list = await listBackups(dir, target.key);
  expect(list[0]).toMatchObject({ name: "original.bak", original: true });
  expect(readFileSync(list[0]!.file, "utf8")).toBe("v0");
  expect(statSync(list[0]!.file).mode & 0o777).toBe(0o600);
  expect(list.slice(1).map((b) => readFileSync(b.file, "utf8"))).toEqual([
    "v12",
    "v11",
    "v10",
    "v9",
    "v8",
    "v7",
    "v6",
    "v5",
    "v4",
    "v3",
  ]);
});

describe("withLock", () => {
  test("two holders never overlap", async () => {
    const timeline: string[] = [];
    const hold = (name: string) =>
      withLock(dir, async () => {
        timeline.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 150));
        timeline.push(`end ${name}`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect(
      [timeline.slice(0, 2), timeline.slice(2)].map((pair) => pair[0]!.slice(6) === pair[1]!.slice(4)),
    ).toEqual([true, true]);
  });

  test("a lock left by a dead process of this machine is taken over at once", async () => {
    mkdirSync(path.join(dir, "sync.lock"));
    // pid 2^22 - 1 is above Linux's default pid_max: no such process.
    const boot = `${os.hostname()}/${process.platform}/${readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()}`;
    writeFileSync(path.join(dir, "sync.lock.owner"), JSON.stringify({ pid: 4194303, boot }));
    const started = Date.now();
    await withLock(dir, async () => {});
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readdirSync(dir)).toEqual([]);
  });

  test.skipIf(process.platform !== "linux")(
    "a lock whose holder has ended but is not collected yet (a zombie: a bridge whose keeper was stopped first) is taken over at once",
    async () => {
      const zombie = await startZombie();
      try {
        mkdirSync(path.join(dir, "sync.lock"));
        writeFileSync(
          path.join(dir, "sync.lock.owner"),
          JSON.stringify({ ...(await thisProcess()), pid: zombie.pid }),
        );
        // waitMs 0, as a bridge takes its state folder: a fresh lock of a live holder would refuse.
        await expect(withLock(dir, async () => "taken", { waitMs: 0 })).resolves.toBe("taken");
      } finally {
        zombie.stop();
      }
    },
  );

  test("a live holder's lock is waited for, not broken", async () => {
    mkdirSync(path.join(dir, "sync.lock"));
    writeFileSync(path.join(dir, "sync.lock.owner"), JSON.stringify({ pid: process.ppid, boot: "x" }));
    await expect(withLock(dir, async () => {}, { waitMs: 600 })).rejects.toThrow(/Another mcp-twin run/);
  });
});

describe("the bridge's files", () => {
  test("a log is appended to (0600) and moved to <log>.1 once past the size given", () => {
    const log = path.join(dir, "bridge.log");
    let fd = openLogForAppend(log, 10);
    writeSync(fd, "first run\n");
    closeLog(fd);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    fd = openLogForAppend(log, 10);
    writeSync(fd, "second\n");
    closeLog(fd);
    // 10 bytes is not past 10: appended, not moved
    expect(readFileSync(log, "utf8")).toBe("first run\nsecond\n");
    fd = openLogForAppend(log, 10);
    writeSync(fd, "third\n");
    closeLog(fd);
    expect(readFileSync(`${log}.1`, "utf8")).toBe("first run\nsecond\n");
    expect(readFileSync(log, "utf8")).toBe("third\n");
  });

  test("a private folder is 0700 even when it existed with a wider mode", async () => {
    const folder = path.join(dir, "state");
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    await makePrivateFolder(folder);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await makePrivateFolder(path.join(dir, "new", "deep"));
    expect(statSync(path.join(dir, "new", "deep")).mode & 0o777).toBe(0o700);
  });
});
