/**
 * The write-stall bound: a plain JSON answer larger than the socket's buffers, which its client
 * never reads, is closed `WRITE_STALL_MS` later and its bytes released — on the session transport
 * (2025-11-25 sessions and the 2026-07-28 lane) and on the SDK handler's web answers (2026-07-28);
 * meanwhile the process holds its bytes once.
 */
import http, { type ServerResponse } from "node:http";
import net, { type AddressInfo } from "node:net";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, test } from "vitest";
import { HttpSessionTransport } from "../../src/bridge-server/session-transport.js";
import { WRITE_STALL_MS } from "../../src/bridge-server/stream-backlog.js";
import { sendWebResponse } from "../../src/bridge-server/web-exchange.js";
import { type ManualClock, manualClock } from "../helpers/manual-clock.js";
import { until } from "./gateway/gateway-helpers.js";

const BIG = 8 * 1024 * 1024;
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A loopback server answering each POST with `answer`, and a client that never reads. */
async function unread(answer: (res: ServerResponse, clock: ManualClock) => void) {
  const clock = manualClock();
  let response: ServerResponse | undefined;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      response = res;
      answer(res, clock);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
  socket.pause();
  socket.on("error", () => {});
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "big" } });
  socket.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  closers.push(() => {
    socket.destroy();
    server.close();
  });
  const res = await until("the answer written", () => response);
  await until("bytes waiting for the client", () => res.writableLength > 0 || undefined);
  return { res, clock };
}

async function expectStallEnds(res: ServerResponse, clock: ManualClock) {
  const socket = res.socket;
  clock.advance(WRITE_STALL_MS - 1);
  expect(res.destroyed).toBe(false);
  expect(res.writableLength).toBeGreaterThan(BIG / 2);
  clock.advance(1);
  // Before the bound: held until the client closed, however long.
  expect(res.destroyed).toBe(true);
  await until("its bytes released", () => res.writableLength === 0 || undefined);
  expect(socket?.destroyed).toBe(true);
}

/** The session transport's answer of BIG bytes to one call: plain JSON, or (`sse`) an event stream. */
function answerBig(era: string, sse = false) {
  return (res: ServerResponse, clock: ManualClock) => {
    const lane = era.startsWith("2026");
    const t = new HttpSessionTransport(lane ? "lane" : "s", { clock });
    t.onmessage = (m) => {
      if (!("id" in m && "method" in m)) return;
      // Progress before the answer turns it into an event stream.
      const progress = { progressToken: 1, progress: 1 };
      if (sse) t.deliver({ jsonrpc: "2.0", method: "notifications/progress", params: progress }, m.id);
      t.deliver({
        jsonrpc: "2.0",
        id: m.id,
        result: { content: [{ type: "text", text: "x".repeat(BIG) }] },
      });
    };
    t.handlePost([{ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "big" } }], false, res, {
      acceptsSse: sse,
      headers: {},
    });
  };
}

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/**
 * What the process holds once the garbage is collected: V8's heap and the bytes outside it (after a
 * turn of the event loop, in which a socket destroyed before lets go of what it held).
 */
async function held(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe("a plain JSON answer the client never reads", () => {
  for (const era of ["2025-11-25 session", "2026-07-28 lane"])
    test(`${era}: closed after the write-stall time, its bytes released`, async () => {
      const { res, clock } = await unread(answerBig(era));
      await expectStallEnds(res, clock);
    });

  test.each(["plain JSON", "an event stream"])(
    "as %s, while it waits the process holds its bytes once, and nothing of it past the bound",
    async (as) => {
      const before = await held();
      const { res, clock } = await unread(answerBig("2025-11-25 session", as !== "plain JSON"));
      // Written as a string: 32 MiB for the 8 (the string, node's three copies of it), 40 with the
      // message a JSON answer kept; 24 unread answers of 8 MiB held the bridge at 830 MB.
      expect((await held()) - before).toBeLessThan(1.5 * BIG);
      await expectStallEnds(res, clock);
      // Let go once the loop has closed the socket's write (a turn or a few after the destroy).
      await until("its bytes let go", async () => (await held()) - before < BIG / 4 || undefined);
    },
  );

  test("2026-07-28 SDK handler's answer: closed after the write-stall time, its bytes released", async () => {
    const { res, clock } = await unread((res, clock) => {
      void sendWebResponse(
        res,
        Response.json({ jsonrpc: "2.0", id: 1, result: { data: "x".repeat(BIG) } }),
        clock,
      );
    });
    await expectStallEnds(res, clock);
  });
});
