/*
 * The substitution expression of a NAPTR record (RFC 3402 §3.2): delim ERE delim replacement delim [i].
 * The delimiter is the first character ("!" in practice); a backslash escapes the delimiter and itself, and \1 to
 * \9 in the replacement insert the groups the expression captured. Like sed, the first match is replaced and the
 * rest of the string kept (ENUM expressions are anchored with ^...$, so they replace the whole number).
 */

export interface SubstExpr {
  pattern: RegExp;
  replacement: string;
}

/** POSIX bracket classes, the one ERE feature JavaScript spells differently. */
const POSIX_CLASSES: Record<string, string> = {
  '[:digit:]': '0-9', '[:alpha:]': 'A-Za-z', '[:alnum:]': '0-9A-Za-z', '[:upper:]': 'A-Z', '[:lower:]': 'a-z',
  '[:space:]': ' \\t\\r\\n\\v\\f', '[:xdigit:]': '0-9A-Fa-f',
};

export class SubstExprError extends Error {}

/** Parses "!^\+1(.*)$!sip:\1@example.com!" and the like; throws SubstExprError when it is malformed. */
export function parseSubstExpr(text: string): SubstExpr {
  const delimiter = text.charAt(0);
  if (delimiter === '' || /[1-9i\\]/.test(delimiter)) throw new SubstExprError(`bad delimiter in "${text}"`);
  const parts: string[] = [];
  let current = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      // An escaped delimiter is the plain character; other escapes are kept for the regexp or the replacement.
      current += text[i + 1] === delimiter ? delimiter : c + text[i + 1];
      i++;
    } else if (c === delimiter) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (parts.length !== 2) throw new SubstExprError(`"${text}" is not ${delimiter}pattern${delimiter}replacement${delimiter}flags`);
  const flags = current;
  if (!/^i?$/.test(flags)) throw new SubstExprError(`unknown flags "${flags}" in "${text}"`);
  const source = parts[0].replace(/\[:[a-z]+:\]/g, (cls) => POSIX_CLASSES[cls] ?? cls);
  try {
    return { pattern: new RegExp(source, flags), replacement: parts[1] };
  } catch (err) {
    throw new SubstExprError(`bad regular expression in "${text}": ${(err as Error).message}`);
  }
}

/** The rewritten string, or undefined when the expression does not match. */
export function applySubstExpr(expr: SubstExpr, input: string): string | undefined {
  const m = expr.pattern.exec(input);
  if (m === null) return undefined;
  return input.slice(0, m.index) + expandReplacement(expr.replacement, m) + input.slice(m.index + m[0].length);
}

/** The replacement with \1..\9 filled in and \\ made a single backslash. */
function expandReplacement(replacement: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c !== '\\' || i + 1 === replacement.length) {
      out += c;
      continue;
    }
    const next = replacement[++i];
    out += next >= '1' && next <= '9' ? m[Number(next)] ?? '' : next;
  }
  return out;
}

/** parseSubstExpr then applySubstExpr; undefined also when the expression is malformed. */
export function rewrite(substExpr: string, input: string): string | undefined {
  try {
    return applySubstExpr(parseSubstExpr(substExpr), input);
  } catch (err) {
    if (err instanceof SubstExprError) return undefined;
    throw err;
  }
}
