/**
 * One id space upstream: whatever the gateway sends a shared server's process (its handshake, the
 * sessions' calls of both eras at once, a list read again after a change, a subscription or
 * listen), the process sees the request ids 0, 1, 2, … in order, and no two progress tokens alike.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { expect, test } from "vitest";
import { LEGACY } from "../../../src/bridge-server/route/handshake.js";
import { ON_MESSAGE } from "../../helpers/script-messages.js";
import { tempDir } from "../helpers.js";
import { callText, closeAfterEach, gatewayBridge, scriptServer, until, v2Client } from "./gateway-helpers.js";

closeAfterEach();

/**
 * A raw stdio server (no SDK) of either era (`modern`: 2026-07-28 only, refusing initialize): every
 * message it reads is appended, with its pid, to the file named by its first argument. `slow` answers after
 * 100 ms, with one progress under the token it was given; `bump` says its tools changed.
 */
const SCRIPT =
  ON_MESSAGE +
  String.raw`
const { appendFileSync } = require("node:fs");
const [file, era] = process.argv.slice(2);
const modern = era === "modern";
const out = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\n");
const done = (r) => modern ? { ...r, resultType: "complete",
  _meta: { "io.modelcontextprotocol/serverInfo": { name: "ids", version: "1" } } } : r;
const text = (t) => done({ content: [{ type: "text", text: t }] });
const caps = { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true } };
const tools = ["slow", "bump"].map((name) => ({ name, inputSchema: { type: "object" } }));
onMessage((m) => {
  appendFileSync(file, JSON.stringify({ pid: process.pid, m }) + "\n");
  if (m.id === undefined || m.method === undefined) return;
  const p = m.params ?? {};
  if (m.method === "initialize")
    out(modern
      ? { id: m.id, error: { code: -32022, message: "Unsupported protocol version",
          data: { supported: ["2026-07-28"], requested: p.protocolVersion } } }
      : { id: m.id, result: { protocolVersion: "2025-11-25", capabilities: caps,
          serverInfo: { name: "ids", version: "1" } } });
  else if (m.method === "server/discover")
    out({ id: m.id, result: done({ supportedVersions: ["2026-07-28"], capabilities: caps }) });
  else if (m.method === "subscriptions/listen")
    out({ method: "notifications/subscriptions/acknowledged", params: { notifications: p.notifications,
      _meta: { "io.modelcontextprotocol/subscriptionId": m.id } } });
  else if (m.method === "tools/list") out({ id: m.id, result: done({ tools }) });
  else if (m.method === "resources/list") out({ id: m.id, result: done({ resources: [] }) });
  else if (m.method === "resources/templates/list") out({ id: m.id, result: done({ resourceTemplates: [] }) });
  else if (m.method === "tools/call" && p.name === "bump") {
    out({ id: m.id, result: text("bumped") });
    out({ method: "notifications/tools/list_changed" });
  } else if (m.method === "tools/call")
    setTimeout(() => {
      const token = p._meta?.progressToken;
      if (token !== undefined) out({ method: "notifications/progress", params: { progressToken: token, progress: 1 } });
      out({ id: m.id, result: text("slept") });
    }, 100);
  else out({ id: m.id, result: done({}) });
});
`;

type Got = { id?: unknown; method?: string; params?: { _meta?: { progressToken?: unknown } } };
type Line = { pid: number; m: Got };

test("each process sees its request ids as one sequence, 0, 1, 2, …, whoever sent them; progress tokens are never shared", async () => {
  const dir = tempDir();
  const script = path.join(dir, "ids.cjs");
  writeFileSync(script, SCRIPT);
  const logs = { old: path.join(dir, "old.jsonl"), new: path.join(dir, "new.jsonl") };
  for (const file of Object.values(logs)) writeFileSync(file, "");
  const g = await gatewayBridge({
    servers: {
      old: scriptServer(script, "machine", [logs.old, "legacy"]),
      new: scriptServer(script, "machine", [logs.new, "modern"]),
    },
  });
  for (const name of ["old", "new"] as const) {
    const a = await v2Client(g.shareUrl(name), g.token, "legacy");
    const b = await v2Client(g.shareUrl(name), g.token, { pin: "2026-07-28" });
    if (name === "old") await a.subscribeResource({ uri: "ids://state" });
    const seen = { a: 0, b: 0 };
    // Both sessions at once, each with progress under the same token of its own ("1"), and a change.
    const [x, y, z] = await Promise.all([
      a.callTool({ name: "slow", arguments: {} }, { onprogress: () => void seen.a++ }),
      b.callTool({ name: "slow", arguments: {} }, { onprogress: () => void seen.b++ }),
      callText(a, "bump"),
      a.listTools(),
      b.listTools(),
    ]);
    expect([x, y].map((r) => (r as { content: Array<{ text: string }> }).content[0]?.text)).toEqual([
      "slept",
      "slept",
    ]);
    expect(z).toBe("bumped");
    expect(seen).toEqual({ a: 1, b: 1 });
    const got = () =>
      readFileSync(logs[name], "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
    // The change is read again: the tools listed twice by the gateway itself (its start, the change).
    await until(`${name}: the tools read again`, () =>
      got().filter((l) => l.m.method === "tools/list").length >= 2 ? true : undefined,
    );
    const lines = got().filter((l) => l.m.id !== undefined && l.m.method !== undefined);
    // `new` is asked initialize first in a process of its own, which refuses it.
    const pids = [...new Set(lines.map((l) => l.pid))];
    expect(pids).toHaveLength(name === "old" ? 1 : 2);
    for (const pid of pids) {
      const ids = lines.filter((l) => l.pid === pid).map((l) => l.m.id);
      expect(
        ids,
        `${name}: ${lines.map((l) => `${l.pid} ${String(l.m.id)} ${l.m.method}`).join(", ")}`,
      ).toEqual(ids.map((_, i) => i));
    }
    const requests = lines.map((l) => l.m);
    expect(requests.map((m) => m.method)).toEqual(
      expect.arrayContaining([
        "tools/call",
        "tools/list",
        name === "old" ? "resources/subscribe" : "subscriptions/listen",
      ]),
    );
    const tokens = requests.flatMap((m) =>
      m.params?._meta?.progressToken === undefined ? [] : [m.params._meta.progressToken],
    );
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
  }
}, 90_000);

test("the gateway's handshake takes the 2025 revisions the SDK's client takes, offering the same first", () => {
  expect(LEGACY).toEqual(SUPPORTED_PROTOCOL_VERSIONS.filter((v) => v < "2026-07-28"));
});
