/**
 * The relay's framing, pure: JSON-RPC messages told apart by their keys, stdin lines split within a
 * limit (a longer one skipped, its id told from its start), and server-sent events parsed as the
 * spec says — line endings, fields, chunks cut anywhere — within the same limit.
 */
import { expect, test } from "vitest";
import { LineSplitter } from "../../src/core/jsonrpc/lines.js";
import { peekId, route, routeLine } from "../../src/core/jsonrpc/messages.js";
import { type SseEvent, SseParser } from "../../src/core/relay/sse-parser.js";

test("messages are routed by their keys; anything else is invalid", () => {
  expect(routeLine('{"jsonrpc":"2.0","id":1,"method":"initialize"}')).toMatchObject({
    kind: "request",
    id: 1,
  });
  expect(routeLine('{"jsonrpc":"2.0","method":"notifications/initialized"}')).toMatchObject({
    kind: "notification",
  });
  expect(routeLine('{"jsonrpc":"2.0","id":"a","result":{}}')).toMatchObject({ kind: "response", id: "a" });
  expect(routeLine('{"jsonrpc":"2.0","error":{"code":1,"message":"x"}}')).toMatchObject({ kind: "response" });
  expect(routeLine("hello")).toEqual({ kind: "invalid", why: "json" });
  for (const bad of [
    '{"jsonrpc":"2.0","id":2}',
    '{"id":1,"method":"x"}',
    '{"jsonrpc":"2.0","id":{},"method":"x"}',
    "[1]",
    "null",
  ])
    expect(route(JSON.parse(bad))).toEqual({ kind: "invalid", why: "jsonrpc" });
});

test("the id at the start of a message too large to read, when it is there at the top level", () => {
  expect(peekId('{"jsonrpc":"2.0","id":"big-1","params":{"text":"xxxx')).toBe("big-1");
  expect(peekId('{"jsonrpc":"2.0","id": 42 ,"method":"x","params":{"id":7')).toBe(42);
  expect(peekId('{"params":{"id":7,"t":"xxxx')).toBeNull();
  expect(peekId('{"method":"x","params":{"text":"\\"id\\":3 xxxx')).toBeNull();
});

test("stdin lines: CRLF, blank lines and chunks cut anywhere; a line over the limit is skipped and reported", () => {
  const lines: string[] = [];
  const over: string[] = [];
  const split = new LineSplitter(
    64,
    (l) => lines.push(l),
    (start) => over.push(start),
  );
  const text = `{"a":1}\r\n\n{"b":"é"}\n{"id":"x","pad":"${"y".repeat(100)}"}\n{"c":3}\n`;
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 7) split.push(bytes.subarray(i, i + 7));
  expect(lines).toEqual(['{"a":1}', '{"b":"é"}', '{"c":3}']);
  expect(over).toHaveLength(1);
  expect(peekId(over[0]!)).toBe("x");
});

test("a line over the limit is reported as soon as it passes it, not held until its newline", () => {
  const lines: string[] = [];
  const over: string[] = [];
  const split = new LineSplitter(
    64,
    (l) => lines.push(l),
    (start) => over.push(start),
  );
  split.push(Buffer.from(`{"id":9,"text":"${"y".repeat(100)}`));
  expect(over).toHaveLength(1);
  expect(peekId(over[0]!)).toBe(9);
  for (let i = 0; i < 100; i++) split.push(Buffer.from("z".repeat(1000)));
  split.push(Buffer.from('"}\n{"ok":1}\n'));
  expect(over).toHaveLength(1);
  expect(lines).toEqual(['{"ok":1}']);
});

test("server-sent events: fields, line endings, comments and cuts inside a line or a character", () => {
  const events: SseEvent[] = [];
  const parser = new SseParser(1024, (e) => events.push(e));
  const text =
    ": a comment\r\nevent: endpoint\r\ndata: /messages?id=1\r\n\r\n" +
    'id: 7\ndata: {"a":\ndata: "é"}\n\n' +
    "data:no space\r\rretry: 10\ndata\n\n";
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) parser.push(bytes.subarray(i, i + 3));
  expect(events).toEqual([
    { event: "endpoint", data: "/messages?id=1" },
    { event: "message", data: '{"a":\n"é"}' },
    { event: "message", data: "no space" },
    { event: "message", data: "" },
  ]);
});

test("an event or a line over the limit ends the parse with an error", () => {
  const parser = new SseParser(100, () => {});
  expect(() => parser.push(Buffer.from(`data: ${"x".repeat(200)}`))).toThrow(/limit/);
  const many = new SseParser(100, () => {});
  expect(() => {
    for (let i = 0; i < 20; i++) many.push(Buffer.from(`data: ${"x".repeat(10)}\n`));
  }).toThrow(/limit/);
});

test("the limit counts bytes, not characters: multi-byte text just over it is refused, just under it passes", () => {
  const cjk = (n: number) => "漢".repeat(n); // 3 bytes in UTF-8, one UTF-16 unit
  const events: SseEvent[] = [];
  const under = new SseParser(999, (e) => events.push(e));
  under.push(Buffer.from(`data: ${cjk(333)}\n\n`));
  expect(events).toEqual([{ event: "message", data: cjk(333) }]);
  // 1,002 bytes in 334 characters: over a 1,000-byte limit, in one line or across lines and chunks.
  const over = new SseParser(1000, () => {});
  expect(() => over.push(Buffer.from(`data: ${cjk(334)}\n\n`))).toThrow(/limit/);
  const split = new SseParser(1000, () => {});
  const bytes = Buffer.from(`data: ${cjk(167)}\ndata: ${cjk(167)}\n\n`);
  expect(() => {
    for (let i = 0; i < bytes.length; i += 5) split.push(bytes.subarray(i, i + 5));
  }).toThrow(/limit/);
  const lines: string[] = [];
  const long: string[] = [];
  const splitter = new LineSplitter(
    999,
    (l) => lines.push(l),
    (start) => long.push(start),
  );
  splitter.push(Buffer.from(`${cjk(333)}\n${cjk(334)}\n`));
  expect(lines).toEqual([cjk(333)]);
  expect(long).toHaveLength(1);
});

test("a line splitter told to stop returns the rest of the chunk, and takes it whole when pushed again", () => {
  const lines: string[] = [];
  const split = new LineSplitter(
    64,
    (l) => lines.push(l),
    () => {},
  );
  const rest = split.push(Buffer.from('{"a":1}\n{"b":2}\n{"c":'), () => lines.length < 1);
  expect(lines).toEqual(['{"a":1}']);
  expect(rest?.toString()).toBe('{"b":2}\n{"c":');
  expect(split.push(rest!)).toBeUndefined();
  split.push(Buffer.from("3}\n"));
  expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
});
