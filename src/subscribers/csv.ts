// RFC 4180 CSV: fields separated by commas, quoted with "" when they hold a comma, quote or line break.
// The reader accepts CRLF or LF, a UTF-8 byte-order mark (Excel writes one) and blank lines, and numbers each
// record by the line it starts on so import errors can say FILE:LINE.

export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  reason: string;
}

export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let bad: string | undefined;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) {
            bad ??= 'missing closing quote';
            break;
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        // Only a separator or the end of the record may follow a closing quote.
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          bad ??= 'text after a closing quote';
          while (i < text.length && text[i] !== ',' && text[i] !== '\n') i++;
        }
      } else {
        const from = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(from, i);
        if (field.includes('"')) bad ??= 'a quote inside an unquoted field';
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // End of record: CRLF, LF, lone CR or end of text.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (bad) problems.push({ line: start, reason: `CSV syntax: ${bad}` });
    else if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return { records, problems };
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CRLF-terminated line per row, as RFC 4180 writes it. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => `${row.map(quote).join(',')}\r\n`).join('');
}
