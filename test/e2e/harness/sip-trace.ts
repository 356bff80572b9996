// Reads a SIPp -message_file: which messages went out and came in, and their headers.
const SEPARATOR = /^-{20,} .*$/m;
const COMPACT: Record<string, string> = {
  v: 'via', f: 'from', t: 'to', m: 'contact', i: 'call-id', l: 'content-length', c: 'content-type',
};

export interface TracedMessage {
  direction: 'sent' | 'received';
  startLine: string;
  /** Header lines in order, names lower-cased and expanded from their compact forms. */
  headers: Array<{ name: string; value: string }>;
  text: string;
}

function parseBlock(block: string): TracedMessage | null {
  const direction = /message received/.exec(block) ? 'received' : /message sent/.exec(block) ? 'sent' : null;
  if (!direction) return null;
  const lines = block.split(/\r?\n/);
  const first = lines.findIndex((l) => /^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(l));
  if (first < 0) return null;
  const headers: TracedMessage['headers'] = [];
  for (const line of lines.slice(first + 1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    headers.push({ name: COMPACT[raw] ?? raw, value: line.slice(colon + 1).trim() });
  }
  return { direction, startLine: lines[first], headers, text: lines.slice(first).join('\n') };
}

export function parseTrace(log: string): TracedMessage[] {
  return log.split(SEPARATOR).map(parseBlock).filter((m): m is TracedMessage => m !== null);
}

/** Every value of a header; comma-joined values (several Vias on one line) are split. */
export function headerValues(msg: TracedMessage, name: string): string[] {
  const wanted = name.toLowerCase();
  return msg.headers
    .filter((h) => h.name === wanted)
    .flatMap((h) => (wanted === 'via' ? h.value.split(/,\s*(?=SIP\/)/) : [h.value]));
}

export function statusOf(msg: TracedMessage): number | null {
  const m = /^SIP\/2\.0 (\d{3})/.exec(msg.startLine);
  return m ? Number(m[1]) : null;
}

export function methodOf(msg: TracedMessage): string | null {
  const m = /^([A-Z]+) \S+ SIP\/2\.0/.exec(msg.startLine);
  return m ? m[1] : null;
}

/** The received requests with this method, in order. */
export function receivedRequests(log: string, method: string): TracedMessage[] {
  return parseTrace(log).filter((m) => m.direction === 'received' && methodOf(m) === method);
}

/** Status codes of every received response, in order. */
export function receivedStatuses(log: string): number[] {
  return parseTrace(log)
    .filter((m) => m.direction === 'received')
    .map(statusOf)
    .filter((s): s is number => s !== null);
}
