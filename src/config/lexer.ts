// Splits sipd.conf text into directive, section-open and section-close lines.
// Whole-line "#" comments and blank lines are skipped; CR, LF and CRLF all end a line.

export type ConfigLine =
  | { kind: 'directive'; line: number; name: string; args: string[] }
  | { kind: 'open'; line: number; name: string; args: string[] }
  | { kind: 'close'; line: number; name: string };

export interface LexResult { lines: ConfigLine[]; errors: { line: number; reason: string }[] }

export function lexConfig(text: string): LexResult {
  const result: LexResult = { lines: [], errors: [] };
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const parsed = content.startsWith('<') ? sectionLine(content, line) : directiveLine(content, line);
    if (typeof parsed === 'string') result.errors.push({ line, reason: parsed });
    else result.lines.push(parsed);
  });
  return result;
}

function directiveLine(content: string, line: number): ConfigLine | string {
  const words = splitWords(content);
  if (typeof words === 'string') return words;
  return { kind: 'directive', line, name: words[0], args: words.slice(1) };
}

function sectionLine(content: string, line: number): ConfigLine | string {
  if (!content.endsWith('>')) return `section tag ${content} must end with ">"`;
  const inner = content.slice(1, -1).trim();
  if (inner.startsWith('/')) {
    const name = inner.slice(1).trim();
    if (!/^\w+$/.test(name)) return `malformed closing tag ${content}`;
    return { kind: 'close', line, name };
  }
  const words = splitWords(inner);
  if (typeof words === 'string') return words;
  if (words.length === 0 || !/^\w+$/.test(words[0])) return `malformed section tag ${content}`;
  return { kind: 'open', line, name: words[0], args: words.slice(1) };
}

/** Whitespace-separated words; "double quotes" group words, \" and \\ escape inside quotes. */
function splitWords(content: string): string[] | string {
  const words: string[] = [];
  let i = 0;
  while (i < content.length) {
    if (/\s/.test(content[i])) { i++; continue; }
    if (content[i] === '"') {
      let word = '';
      i++;
      while (i < content.length && content[i] !== '"') {
        if (content[i] === '\\' && (content[i + 1] === '"' || content[i + 1] === '\\')) i++;
        word += content[i++];
      }
      if (i >= content.length) return 'unterminated quoted value';
      i++;
      words.push(word);
      continue;
    }
    const start = i;
    while (i < content.length && !/\s/.test(content[i])) i++;
    words.push(content.slice(start, i));
  }
  return words;
}
