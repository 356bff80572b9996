/*
 * Heap cost of the location service: 100,000 AORs with one contact each.
 * Run: node --expose-gc dist/bench/location-memory.js
 *
 * "fresh" builds each string on its own; "parsed" takes them as substrings of a REGISTER text,
 * the way a parser hands them over (V8 keeps such substrings pointing into the whole text).
 * The contactKey is the registrar's, as sipd builds it for a REGISTER.
 */
import { LocationService, type Binding } from '../src/registrar/location';
import { contactKey } from '../src/registrar/registrar';
import { parseUri } from '../src/sip';

const N = 100_000;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  g();
  g();
}

function fresh(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

function freshBinding(i: number, expires: number): Binding {
  const user = String(100000 + i);
  return {
    aor: fresh(`${user}@bench.local`),
    contact: fresh(`sip:${user}@127.0.0.1:5061`),
    contactKey: fresh(contactKey(parseUri(`sip:${user}@127.0.0.1:5061`))),
    expires,
    callId: fresh(`${user}-a84b4c76e66710-cb3f9d2e1f`.slice(0, 30)),
    cseq: 1 + (i % 50),
    source: fresh(`udp:127.0.0.1:${5061 + (i % 1000)}`),
  };
}

function parsedBinding(i: number, expires: number): Binding {
  const user = String(100000 + i);
  const text = fresh(
    `REGISTER sip:bench.local SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK${user}776asdhds;rport\r\n` +
      `Max-Forwards: 70\r\nTo: <sip:${user}@bench.local>\r\nFrom: <sip:${user}@bench.local>;tag=456248${user}\r\n` +
      `Call-ID: ${user}-a84b4c76e66710-cb3f9d2e1f\r\nCSeq: ${1 + (i % 50)} REGISTER\r\n` +
      `Contact: <sip:${user}@127.0.0.1:5061>\r\nExpires: 3600\r\nUser-Agent: bench\r\nContent-Length: 0\r\n\r\n`,
  );
  const header = (name: string): string => {
    const start = text.indexOf(`\r\n${name}: `) + name.length + 4;
    return text.slice(start, text.indexOf('\r\n', start));
  };
  const contact = header('Contact').slice(1, -1);
  return {
    aor: header('To').slice(5, -1),
    contact,
    contactKey: contactKey(parseUri(contact)),
    expires,
    callId: header('Call-ID').slice(0, 30),
    cseq: Number(header('CSeq').split(' ')[0]),
    source: `udp:127.0.0.1:${5061 + (i % 1000)}`,
  };
}

function measure(label: string, make: (i: number, expires: number) => Binding): void {
  gc();
  const before = process.memoryUsage();
  const loc = new LocationService(null);
  const expires = Date.now() + 3_600_000;
  for (let i = 0; i < N; i++) loc.upsert(make(i, expires));
  gc();
  const after = process.memoryUsage();
  if (loc.size() !== N) throw new Error(`expected ${N} bindings, have ${loc.size()}`);
  const heap = (after.heapUsed - before.heapUsed) / N;
  const rss = (after.rss - before.rss) / N;
  console.log(`${label}: ${N} bindings, heapUsed ${heap.toFixed(0)} B/binding, rss ${rss.toFixed(0)} B/binding`);
  loc.close();
}

measure('fresh strings ', freshBinding);
measure('parsed strings', parsedBinding);
