/**
 * Catches that drop an error, found with TypeScript's parser: a `catch` block with no statement,
 * and a `.catch(handler)` whose handler does nothing or returns a value standing for "absent"
 * (undefined, null, "", [], {}, false, 0). Each must say why in a comment — inside it, on its line or
 * the line above (a run on consecutive lines shares one) — or handle the error.
 */
import ts from "typescript";

export interface SilentCatch {
  line: number;
  /** `catch {}` or `.catch(() => …)`, as written (first 60 characters). */
  text: string;
}

/** An expression that only stands for "nothing here". */
function isDefault(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return isDefault(e.expression);
  if (ts.isIdentifier(e)) return e.text === "undefined";
  if (e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text === "";
  if (ts.isNumericLiteral(e)) return e.text === "0";
  if (ts.isArrayLiteralExpression(e)) return e.elements.length === 0;
  if (ts.isObjectLiteralExpression(e)) return e.properties.length === 0;
  if (ts.isVoidExpression(e)) return ts.isNumericLiteral(e.expression);
  return false;
}

/** A handler that does nothing with the error: an empty body, or one that returns a default. */
function dropsIt(handler: ts.Expression): boolean {
  if (!ts.isArrowFunction(handler) && !ts.isFunctionExpression(handler)) return false;
  const body = handler.body;
  if (!ts.isBlock(body)) return isDefault(body);
  if (body.statements.length === 0) return true;
  const [only] = body.statements;
  return (
    body.statements.length === 1 &&
    only !== undefined &&
    ts.isReturnStatement(only) &&
    (only.expression === undefined || isDefault(only.expression))
  );
}

/** Whether a comment is inside [start, end) or on the lines `line - 1` and `line` (0-based). */
function commented(source: ts.SourceFile, text: string, start: number, end: number): boolean {
  if (/\/\/|\/\*/.test(text.slice(start, end))) return true;
  const line = source.getLineAndCharacterOfPosition(start).line;
  const lines = source.getLineStarts();
  const from = lines[Math.max(0, line - 1)] ?? 0;
  const to = lines[line + 1] ?? text.length;
  // Comments only: what is in a string is not a comment.
  let found = false;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  scanner.setTextPos(from);
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (scanner.getTokenPos() >= to) break;
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      found = true;
      break;
    }
  }
  return found;
}

/** Every catch in `text` that drops its error without a comment saying why. */
export function silentCatches(fileName: string, text: string): SilentCatch[] {
  if (!text.includes("catch")) return [];
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: SilentCatch[] = [];
  // A run of catches on consecutive lines (closing one thing, then the next) shares one comment.
  const said = new Set<number>();
  const report = (node: ts.Node, start: number) => {
    const line = source.getLineAndCharacterOfPosition(start).line;
    if (said.has(line - 1) || commented(source, text, start, node.getEnd())) {
      said.add(line);
      return;
    }
    found.push({
      line: source.getLineAndCharacterOfPosition(start).line + 1,
      text: text.slice(start, node.getEnd()).replace(/\s+/g, " ").slice(0, 60),
    });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCatchClause(node) && node.block.statements.length === 0) report(node, node.getStart(source));
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "catch" &&
      node.arguments.length === 1 &&
      node.arguments[0] !== undefined &&
      dropsIt(node.arguments[0])
    )
      report(node, node.expression.name.getStart(source));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
