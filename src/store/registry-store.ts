import type { Binding } from './binding';

/** Durable backing of the location service. Writes are queued and applied later, in order. */
export interface RegistryStore {
  /** What survived the last run (already filtered by max age at open), oldest registration first. */
  loadAll(): Binding[];
  /** Write-behind: queued, flushed in one transaction per tick. */
  put(b: Binding): void;
  delete(aor: string, contactKey: string): void;
  deleteAor(aor: string): void;
  /** Stores another process can write too: a number that changes when it did. */
  dataVersion?(): number;
  /** Synchronously writes everything queued. */
  flush(): void;
  close(): void;
}
