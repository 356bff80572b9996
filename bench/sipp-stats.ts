// Reads the cumulative counters from the last row of a SIPp -trace_stat file.
import { readFileSync } from 'node:fs';

export interface SippCounters {
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
}

const ZERO: SippCounters = { created: 0, successful: 0, failed: 0, retransmissions: 0 };

export function parseStatCsv(text: string): SippCounters {
  const rows = text.split('\n').filter((l) => l.includes(';'));
  if (rows.length < 2) return ZERO;
  const names = rows[0].split(';');
  const last = rows[rows.length - 1].split(';');
  const value = (name: string): number => Number(last[names.indexOf(name)] ?? 0) || 0;
  return {
    created: value('OutgoingCall(C)') + value('IncomingCall(C)'),
    successful: value('SuccessfulCall(C)'),
    failed: value('FailedCall(C)'),
    retransmissions: value('Retransmissions(C)'),
  };
}

export function readStatCsv(path: string): SippCounters {
  try {
    return parseStatCsv(readFileSync(path, 'utf8'));
  } catch {
    return ZERO;
  }
}
