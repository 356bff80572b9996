// The hosts file (/etc/hosts): names an operator gives addresses without DNS. c-ares queries (node:dns resolve*)
// never read it, so sipd reads it once at start and answers A/AAAA from it first, as "hosts: files dns" does.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** name (lowercase) → its addresses, in file order. */
export type HostsTable = ReadonlyMap<string, readonly string[]>;

export function parseHosts(text: string): HostsTable {
  const table = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || isIP(address) === 0) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      const list = table.get(key) ?? [];
      if (!list.includes(address)) list.push(address);
      table.set(key, list);
    }
  }
  return table;
}

/** The system's hosts file; an empty table when it cannot be read. */
export function readHostsFile(file = '/etc/hosts'): HostsTable {
  try {
    return parseHosts(readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}
