/**
 * The write-stall bound: a plain JSON answer larger than the socket's buffers, which its client
 * never reads, is closed `WRITE_STALL_MS` later and its bytes released — on the session transport
 * (2025-11-25 sessions and the 2026-07-28 lane) and on the SDK handler's web answers (2026-07-28).
 */
import http, { type ServerResponse } from "node:http";
import net, { type AddressInfo } from "node:net";
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

describe("a plain JSON answer the client never reads", () => {
  for (const era of ["2025-11-25 session", "2026-07-28 lane"])
    test(`${era}: closed after the write-stall time, its bytes released`, async () => {
      const { res, clock } = await unread((res, clock) => {
        const lane = era.startsWith("2026");
        const t = new HttpSessionTransport(lane ? "lane" : "s", {
          clock,
          untilAnswered: !lane,
        });
        t.onmessage = (m) => {
          if ("id" in m && "method" in m)
            void t.send({
              jsonrpc: "2.0",
              id: m.id,
              result: { content: [{ type: "text", text: "x".repeat(BIG) }] },
            });
        };
        t.handlePost([{ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "big" } }], false, res, {
          acceptsSse: false,
          headers: {},
        });
      });
      await expectStallEnds(res, clock);
    });

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
