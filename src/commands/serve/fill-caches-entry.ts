/**
 * The process apart that fills the gateway's list cache for a running bridge (gateway/fill-apart.ts):
 * what to start on stdin, the lists read on stdout, its servers' log lines on stderr.
 */
import { type FillInput, fillHere } from "../../bridge-server/gateway/index.js";

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as FillInput;
const answer = await fillHere(input, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(JSON.stringify(answer), () => process.exit(0));
