/**
 * One state, many clients: 10 clients × 50 mixed calls in parallel lose nothing; a restart
 * keeps everything; `kill -9` in the middle of writes leaves every store readable; one process
 * owns the state (a second `serve --http` is refused, exit code 3).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { bridgeEnv, call, cleanup, httpClient, runCli, startBridge } from "./helpers.js";

afterEach(cleanup);

// Every write is on disk before its answer: 500 calls interleave writers of every store as well as
// 2,000 did, at a quarter of the suite's time.
const CALLS = 50;

test(`10 clients × ${CALLS} mixed calls in parallel: nothing lost, and a restart keeps it all`, async () => {
  const b = await startBridge();
  const clients = await Promise.all(
    Array.from({ length: 10 }, (_, i) => httpClient(b.url, b.token, `client-${i}`)),
  );
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < CALLS; i++) {
        switch (i % 5) {
          case 0:
          case 1:
            expect((await call(client, "memory_set", { key: `c${c}-k${i}`, value: { c, i } })).isError).toBe(
              false,
            );
            break;
          case 2:
            await call(client, "handoff_post", { title: `task ${c}/${i}` });
            break;
          case 3:
            await call(client, "notes_write", { path: "log.md", content: `- ${c}/${i}\n`, mode: "append" });
            break;
          default:
            expect((await call(client, "memory_get", { key: `c${c}-k${i - 4}` })).data.found).toBe(true);
        }
      }
    }),
  );
  const check = async (url: string, token: string) => {
    const client = await httpClient(url, token);
    const keys = (await call(client, "memory_list")).data.entries;
    expect(keys).toHaveLength(10 * (CALLS / 5) * 2);
    const items = (await call(client, "handoff_list", { status: "all", limit: 500 })).data.items;
    expect(items).toHaveLength(10 * (CALLS / 5));
    expect(new Set(items.map((x: { id: string }) => x.id)).size).toBe(10 * (CALLS / 5));
    const log = (await client.callTool({ name: "notes_read", arguments: { path: "log.md" } }))
      .content as Array<{ text: string }>;
    expect(log[0]!.text.trim().split("\n")).toHaveLength(10 * (CALLS / 5));
  };
  await check(b.url, b.token);
  expect(await b.stop()).toBe(0);
  const again = await startBridge({ root: b.root });
  await check(again.url, again.token);
  expect(again.token).toBe(b.token);
}, 120_000);

test("kill -9 while writing: every store is readable afterwards and holds a consistent prefix", async () => {
  const b = await startBridge();
  const clients = await Promise.all(Array.from({ length: 4 }, () => httpClient(b.url, b.token)));
  let acknowledged = 0;
  const writers = clients.map(async (client, c) => {
    for (let i = 0; ; i++) {
      try {
        await call(client, "memory_set", { key: `c${c}-${i}`, value: "x".repeat(2000) });
        acknowledged++;
      } catch {
        return;
      }
    }
  });
  while (acknowledged < 200) await new Promise((r) => setTimeout(r, 10));
  b.child.kill("SIGKILL");
  await Promise.all(writers);
  const memory = JSON.parse(readFileSync(path.join(b.dir, "memory.json"), "utf8"));
  const stored = Object.keys(memory.namespaces.default).length;
  // Every acknowledged write was on disk before its answer went out.
  expect(stored).toBeGreaterThanOrEqual(acknowledged);
  const again = await startBridge({ root: b.root });
  const client = await httpClient(again.url, again.token);
  expect((await call(client, "memory_list")).data.entries.length).toBe(stored);
  // Temp files of the killed writer are gone.
  expect(readdirSync(b.dir).filter((n) => /^memory\.json\.\d+$/.test(n))).toEqual([]);
}, 60_000);

test("one process owns the state: a second serve --http on the same folder is refused with exit code 3 (0 with --ok-if-running)", async () => {
  const b = await startBridge();
  const second = await runCli(["serve", "--http", "--port", "0"], bridgeEnv(b.root));
  // Not a failure a supervisor should retry: its own exit code (systemd's RestartPreventExitStatus).
  expect(second.code).toBe(3);
  expect(second.stderr).toContain(`already runs (pid ${b.pid})`);
  // launchd restarts on any exit but 0: the agent passes --ok-if-running.
  const agent = await runCli(["serve", "--http", "--port", "0", "--ok-if-running"], bridgeEnv(b.root));
  expect(agent.code, agent.stderr).toBe(0);
  expect(agent.stderr).toContain(`already runs (pid ${b.pid})`);
  expect(agent.stderr).toContain("This one ends (--ok-if-running).");
  expect(b.child.exitCode).toBeNull();
});
