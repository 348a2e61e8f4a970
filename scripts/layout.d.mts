/** Types of scripts/layout.mjs, for test/structure/layout.test.ts. */
export function headerSentence(text: string): string | undefined;
export function filesWithoutHeader(root: string): string[];
export function layoutMarkdown(root: string): string;
export function headerLines(text: string): number;
export function longHeaders(root: string, max?: number): string[];
