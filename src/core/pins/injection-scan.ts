/**
 * Instructions to the model in a tool's definition (pure): hidden or direction-changing Unicode, and
 * words aimed at the model, not the user, in every text of it a client shows (names, values, keys).
 */
import { isPlain } from "../plain-records.js";
import { pastBounds } from "../text/json-bounds.js";
import { base64Texts, fold, unfold } from "./read-as.js";
import type { ListedTool } from "./tool-pin.js";

export type FlagRule =
  | "hidden-text"
  | "ignore-instructions"
  | "conceal"
  | "hidden-block"
  | "secret-files"
  | "send-secrets"
  | "other-tool"
  | "too-large";

/** One thing found: where in the tool, which rule, and the words that raised it (shown escaped). */
export interface Flag {
  /** `description`, `inputSchema.properties.path.description`, `name`… */
  at: string;
  rule: FlagRule;
  words: string;
}

/** What each rule means, in a few words (what `tools` and doctor say of a flag). */
export const FLAG_WORDS: Record<FlagRule, string> = {
  "hidden-text": "invisible or direction-changing characters",
  "ignore-instructions": "tells the model to ignore its instructions",
  conceal: "tells the model to keep something from the user",
  "hidden-block": "a block addressed to the model",
  "secret-files": "tells the model to read a file that holds keys",
  "send-secrets": "tells the model to pass keys or private text in a call",
  "other-tool": "gives orders about another server's tool",
  "too-large": "nests too deep or is too large to be read safely",
};

/**
 * Characters a person does not see: tag characters (U+E0000–E007F, which spell hidden ASCII),
 * zero-width ones, the word joiner and invisible operators, a BOM past the start, and the
 * bidirectional controls that reorder what is shown.
 */
const HIDDEN = /[\u{E0000}-\u{E007F}\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u061C\u180E\uFEFF]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, "gu");
/** A joiner between two letters or pictographs of a script that needs it (Persian, emoji sequences). */
const JOINED = /[^\p{ASCII}][\u200C\u200D](?=[^\p{ASCII}])/u;

/** An order's verb at the start of a clause (or after please, first, must…): the imperative, not "reads". */
/** Within one sentence: any character but a line break, a full stop only inside a word or path. */
const SPAN = String.raw`(?:[^.\n]|\.(?=\S))`;
const ORDER = String.raw`(?:^|[.!?:;,(\n]\s*|\b(?:please|first|then|and|also|always|must|should|to|you)\s+)`;
/** Each rule with a cheap test first (`gate`): most descriptions hold none of its words, and skip it. */
const ORDERS: ReadonlyArray<{ rule: FlagRule; gate: RegExp; re: RegExp }> = [
  {
    rule: "ignore-instructions",
    gate: /ignore|disregard|forget|override|bypass/i,
    re: /\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of|every)\s+)*(?:previous|prior|above|earlier|preceding|former|other|existing|system|original|safety)\s+(?:instructions?|prompts?|rules?|directions?|directives?|guidelines?|messages?)\b/i,
  },
  {
    rule: "conceal",
    gate: /user/i,
    re: /\b(?:do\s+not|don'?t|never|without)\s+(?:ever\s+)?(?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|mention(?:ing)?|reveal(?:ing)?|disclos(?:e|ing)|show(?:ing)?|let(?:ting)?)\s+(?:(?:this|that|it|anything)\s+to\s+)?(?:the\s+)?user\b/i,
  },
  {
    rule: "conceal",
    gate: /mention|reveal|disclose|hide|conceal|keep|user/i,
    re: /\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose)\s+(?:to\s+anyone\s+)?that\s+you\b|\b(?:hide|conceal|keep)\s+(?:this|it|these)\s+(?:(?:secret|hidden)\s+)?from\s+the\s+user\b|\bthe\s+user\s+(?:must|should)\s+not\s+(?:know|see|be\s+told)\b/i,
  },
  {
    rule: "hidden-block",
    gate: /[<[]/,
    re: /<\s*\/?\s*(?:important|system|secret|hidden|admin|override|assistant|system[-_ ]?prompt)\s*>|<\|(?:im_start|system)\|>|\[\/?(?:system|inst)\]/i,
  },
  {
    rule: "secret-files",
    gate: /\.ssh|id_[redc]|\.env|\.aws|credentials|netrc|pgpass|mcp\.json|\/etc\//i,
    re: new RegExp(
      `${ORDER}(?:read|open|cat|load|include|send|pass|upload|attach|copy|print|output|provide|extract|fetch|access|list)\\b${SPAN}{0,80}?(?:~?/?\\.ssh\\b|\\bid_(?:rsa|ed25519|ecdsa|dsa)\\b|(?:^|[\\s\`'"(/])\\.env\\b|\\.aws/credentials|\\.git-credentials|\\.netrc\\b|\\.pgpass\\b|\\bmcp\\.json\\b|/etc/(?:passwd|shadow)\\b)`,
      "i",
    ),
  },
  {
    rule: "send-secrets",
    gate: /content|key|credential|password|secret|prompt|history|messages|variables/i,
    re: new RegExp(
      `${ORDER}(?:pass|put|include|send|add|insert|provide|append|attach|embed|forward|share)\\b${SPAN}{0,60}?\\b(?:(?:its|the|their|file'?s?)\\s+contents?|private\\s+keys?|ssh\\s+keys?|api\\s+keys?|credentials|passwords?|secrets|system\\s+prompt|conversation\\s+history|chat\\s+history|previous\\s+messages|environment\\s+variables)\\b${SPAN}{0,40}?\\b(?:as|in|into|inside|to)\\b${SPAN}{0,30}?\\b(?:argument|parameter|param|field|sidenote|note|url|query|this\\s+tool|the\\s+tool)\\b`,
      "i",
    ),
  },
];

/** A name shaped like a tool's (snake_case, kebab-case or camelCase), in an order about it. */
const TOOL_NAME = String.raw`[\`'"]?([a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)[\`'"]?`;
const OTHER_TOOL = [
  new RegExp(
    String.raw`\bthe\s+${TOOL_NAME}\s+tool\s+(?:must|should|shall|will|needs?\s+to|has\s+to)\b`,
    "g",
  ),
  // Not a compound's last word ("a paid-call pendingApproval" names a kind of call, orders none).
  new RegExp(String.raw`(?<!-)\b(?:call(?:s|ed)?|invoked?|run|trigger)\s+(?:the\s+)?${TOOL_NAME}`, "g"),
  new RegExp(
    String.raw`\b(?:calling|invoking)\s+(?:the\s+)?${TOOL_NAME}|\busing\s+(?:the\s+)?${TOOL_NAME}\s+tool\b`,
    "g",
  ),
  new RegExp(String.raw`${TOOL_NAME}\s+(?:tool\s+)?(?:is|gets|was)\s+(?:invoked|called|used)\b`, "g"),
  new RegExp(String.raw`\b${TOOL_NAME}\s+call\b`, "g"),
];

/**
 * A property name that asks for a file of keys to fill it (CyberArk's "content_from_reading_ssh_id_rsa"):
 * read as words, a reading and a file that holds keys.
 */
const NAMED_SECRET =
  /\b(?:read|reading|contents?|cat|dump)\b.{0,40}?\b(?:ssh|id (?:rsa|ed25519|ecdsa|dsa)|dotenv|env file|aws credentials|git credentials|mcp json|netrc|pgpass|etc (?:passwd|shadow))\b/i;

/** What the scan knows besides the tool: its server's tool names, and the other servers' in the person's setup. */
interface Names {
  own: ReadonlySet<string>;
  others: ReadonlySet<string>;
}

/**
 * A text no rule can match: a short word or identifier (`string`, `limit`, `page_size`) of ASCII
 * alone, with no space, bracket or path in it — most of a schema's strings, skipped unread.
 */
const INERT = /^[\w.-]{0,23}$/;

/** What is flagged in one tool: every string and key a client shows the model, at any depth. */
function scanTool(tool: ListedTool, names: Names): Flag[] {
  const flags: Flag[] = [];
  const visit = (value: unknown, at: string) => {
    if (typeof value === "string") {
      if (INERT.test(value)) return;
      const hidden = hiddenWords(value);
      if (hidden) flags.push({ at, rule: "hidden-text", words: hidden });
      flags.push(...orders(value, at, names));
    } else if (Array.isArray(value)) for (const [i, v] of value.entries()) visit(v, `${at}[${i}]`);
    else if (isPlain(value))
      for (const [key, v] of Object.entries(value)) {
        if (!INERT.test(key) || /read|content|cat|dump/i.test(key))
          flags.push(...keyFlags(key, `${at}.${shown(key)}`, names));
        visit(v, `${at}.${key}`);
      }
  };
  for (const key of ["name", "title", "description", "inputSchema", "outputSchema", "annotations"])
    visit(tool[key], key);
  return flags;
}

/** What a key (a property's name, at any depth) says: read as words (snake_case, camelCase) and as it is. */
function keyFlags(key: string, at: string, names: Names): Flag[] {
  const flags: Flag[] = [];
  if (HIDDEN.test(key)) flags.push({ at, rule: "hidden-text", words: hiddenWords(key) ?? key });
  const words = key.replace(/([a-z])(?=[A-Z])/g, "$1 ").replace(/[_\-.]+/g, " ");
  if (NAMED_SECRET.test(fold(words).text)) flags.push({ at, rule: "secret-files", words: clip(key) });
  else if (!INERT.test(key)) flags.push(...orders(key, at, names));
  return flags;
}

/** A word shaped like a tool's name: a _ or - inside, or a capital after a small letter. */
const TOOL_SHAPED = /(?<![\w-])(?:[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)/g;

/** Base64 inside base64 is decoded this deep, no deeper (each level is smaller than the one it came from). */
const DECODED_DEPTH = 2;

/** The instructions aimed at the model in one text: as it reads once folded, and inside any base64 in it. */
function orders(text: string, at: string, names: Names, depth = 0, wrapped = ""): Flag[] {
  const flags: Flag[] = [];
  const plain = text.replace(HIDDEN_ALL, "");
  const folded = fold(plain);
  const read = folded.text;
  const words = (start: number, end: number) => clip(`${wrapped}${unfold(folded, plain, start, end)}`);
  for (const { rule, gate, re } of ORDERS) {
    const m = gate.test(read) ? re.exec(read) : null;
    if (m) flags.push({ at, rule, words: words(m.index, m.index + m[0].length) });
  }
  const other = otherTool(read, names);
  if (other) {
    const start = other.index ?? 0;
    flags.push({ at, rule: "other-tool", words: words(start, start + other[0].length) });
  }
  if (depth < DECODED_DEPTH)
    for (const decoded of base64Texts(read))
      for (const f of orders(decoded, at, names, depth + 1, `${wrapped}base64: `))
        if (!flags.some((g) => g.rule === f.rule)) flags.push(f);
  return flags;
}

/**
 * The first order about another server's tool in a text: a name of a tool in the person's setup
 * (`others`), bare or with a client's prefix (`mcp_tool_send_email`), that is not this server's.
 * A name no server of theirs has (a React hook, a function) orders no tool.
 */
function otherTool(read: string, names: Names): RegExpMatchArray | undefined {
  // The orders' patterns are read only where a word is such a tool (most texts name none).
  if (names.others.size === 0 || !read.match(TOOL_SHAPED)?.some((w) => inSetup(w, names))) return undefined;
  for (const re of OTHER_TOOL)
    for (const m of read.matchAll(re)) {
      const name = m.slice(1).find((g) => g !== undefined) ?? "";
      if (inSetup(name, names)) return m;
    }
  return undefined;
}

/** Whether a name is another server's tool, bare or after a prefix (`mcp_tool_`, `mcp__whatsapp__`). */
function inSetup(name: string, { own, others }: Names): boolean {
  if (own.has(name)) return false;
  if (others.has(name)) return true;
  for (let i = name.indexOf("_"); i !== -1 && i < name.length - 1; i = name.indexOf("_", i + 1)) {
    const bare = name.slice(i + 1);
    if (own.has(bare)) return false;
    if (others.has(bare)) return true;
  }
  return false;
}

/**
 * The hidden characters of a text, as a person can read them: tag characters decoded to the ASCII
 * they spell, the others escaped (`\u200B`), with a little of the text around; none: undefined.
 */
function hiddenWords(text: string): string | undefined {
  const at = firstHidden(text);
  if (at === undefined) return undefined;
  const tags = [...text].filter((ch) => isTag(ch));
  if (tags.length > 0)
    return `hidden text "${tags.map((ch) => String.fromCodePoint((ch.codePointAt(0) ?? 0) - 0xe0000)).join("")}"`;
  return clip(shown(text.slice(Math.max(0, at - 20), at + 21)));
}

/** Where the first hidden character is that is not a joiner a script needs, nor a stray space. */
function firstHidden(text: string): number | undefined {
  for (const m of text.matchAll(HIDDEN_ALL)) {
    const i = m.index ?? 0;
    if (i === 0 && m[0] === "\uFEFF") continue;
    if ((m[0] === "\u200C" || m[0] === "\u200D") && JOINED.test(text.slice(Math.max(0, i - 2), i + 3)))
      continue;
    if (strayInvisible(text, i)) continue;
    return i;
  }
  return undefined;
}

/** Invisible characters that reorder nothing and spell nothing: zero-width, joiners, marks, a BOM. */
const PLAIN_INVISIBLE = /[\u200B-\u200F\u2060-\u2064\u061C\u180E\uFEFF]/u;
/** A run this long of invisible characters can spell bits: flagged wherever it stands. */
const CODE_RUN = 4;

/**
 * An invisible character beside a space or a line's end, in a short run: a copy from a web page
 * (Lark's "How \u200B\u200Bto obtain"), splitting no word a reader or this scan reads.
 */
function strayInvisible(text: string, at: number): boolean {
  if (!PLAIN_INVISIBLE.test(text[at] ?? "")) return false;
  let start = at;
  while (start > 0 && PLAIN_INVISIBLE.test(text[start - 1] ?? "")) start--;
  let end = at + 1;
  while (end < text.length && PLAIN_INVISIBLE.test(text[end] ?? "")) end++;
  if (end - start >= CODE_RUN) return false;
  const word = /[\p{L}\p{N}]/u;
  return !(word.test(text[start - 1] ?? "") && word.test(text[end] ?? ""));
}

const isTag = (ch: string) => {
  const cp = ch.codePointAt(0) ?? 0;
  return cp >= 0xe0000 && cp <= 0xe007f;
};

/** A text with its hidden characters written as escapes (`\u200B`, `\u{E0041}`). */
export function shown(text: string): string {
  return text.replace(HIDDEN_ALL, (ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    return cp > 0xffff
      ? `\\u{${cp.toString(16).toUpperCase()}}`
      : `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  });
}

/** The words at most 80 characters long, on one line. */
function clip(words: string): string {
  const line = words.replace(/\s+/g, " ").trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/**
 * Every flag of a server's list, by tool name (a tool with none is not in the map). `others`: the
 * tool names of the person's other servers; only an order about one of those is an other-tool flag.
 */
export function scanList(
  tools: readonly ListedTool[],
  others: ReadonlySet<string> = new Set(),
): Map<string, Flag[]> {
  const names = { own: new Set(tools.map((t) => t.name)), others };
  const out = new Map<string, Flag[]>();
  for (const tool of tools) {
    // Past the bounds, nothing of it is walked (a 4,000-level schema exhausts the stack): held.
    const walked = pastBounds(tool, "it");
    const flags =
      "why" in walked ? [{ at: "", rule: "too-large" as const, words: walked.why }] : scanTool(tool, names);
    if (flags.length > 0) out.set(tool.name, flags);
  }
  return out;
}
