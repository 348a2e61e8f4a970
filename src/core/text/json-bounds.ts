/**
 * How deep and large a definition a server sends may be before it is walked (pure): past it, a
 * walk that recurses exhausts the stack, and one that does not still costs every client its time.
 */

/**
 * A tool's definition as a server lists it, and its whole list: the catalogue's deepest nests 8
 * levels, its largest tool is 4 KiB, its largest list 50 KiB.
 */
export const TOOL_BOUNDS = { depth: 64, chars: 256 * 1024, listChars: 4 * 1024 * 1024 };

/**
 * Why one value is past TOOL_BOUNDS (`which` names it in the answer), walked without recursion and
 * no further than the bounds; its size in characters when it is within them.
 */
export function pastBounds(value: unknown, which: string): { why: string } | { chars: number } {
  let chars = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [member, depth] = next;
    if (typeof member === "string") chars += member.length;
    else if (typeof member === "object" && member !== null) {
      if (depth > TOOL_BOUNDS.depth) return { why: `${which} nests deeper than ${TOOL_BOUNDS.depth} levels` };
      for (const [key, inner] of Object.entries(member)) {
        chars += key.length;
        stack.push([inner, depth + 1]);
      }
    } else chars += 1;
    if (chars > TOOL_BOUNDS.chars) return { why: `${which} is larger than ${TOOL_BOUNDS.chars / 1024} KiB` };
  }
  return { chars };
}
