/*
 * In-memory location service: AOR -> bindings, synchronous Map operations on the hot path,
 * written behind to an optional RegistryStore. An AOR with one binding maps straight to it;
 * only AORs with several contacts get an array (most recently registered first).
 */
import type { Binding } from '../store/binding';
import type { RegistryStore } from '../store/registry-store';

export type { Binding } from '../store/binding';

type Slot = Binding | Binding[];

export class LocationService {
  private readonly byAor = new Map<string, Slot>();
  private count = 0;
  /** The stored objects placed by the last loadStatic(), so the next one can take them out again. */
  private staticSet: Binding[] = [];

  constructor(
    private readonly store: RegistryStore | null,
    private readonly now: () => number = Date.now,
  ) {
    if (store) for (const b of store.loadAll()) this.place(b);
  }

  /** Unexpired bindings, highest q first (absent q = 1.0), then most recently registered first. */
  lookup(aor: string): Binding[] {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return [];
    const t = this.now();
    if (!Array.isArray(slot)) return slot.expires > t ? [slot] : [];
    return slot.filter((b) => b.expires > t).sort(byQDescending);
  }

  /** The unexpired binding of aor with this contactKey. */
  get(aor: string, contactKey: string): Binding | undefined {
    const b = this.find(aor, contactKey);
    return b !== undefined && b.expires > this.now() ? b : undefined;
  }

  /** Adds or replaces the binding (aor, contactKey); the service keeps its own frozen copy. */
  upsert(b: Binding): void {
    const stored = this.place(b);
    this.store?.put(stored);
  }

  remove(aor: string, contactKey: string): boolean {
    if (this.detach(aor, contactKey) === undefined) return false;
    this.store?.delete(aor, contactKey);
    return true;
  }

  /** Removes every binding of aor (lapsed ones included); returns how many there were. */
  removeAll(aor: string): number {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return 0;
    const n = Array.isArray(slot) ? slot.length : 1;
    this.byAor.delete(aor);
    this.count -= n;
    this.store?.deleteAor(aor);
    return n;
  }

  /** Drops lapsed bindings from memory and store; returns how many. */
  purgeExpired(): number {
    const t = this.now();
    let purged = 0;
    for (const [aor, slot] of this.byAor) {
      if (!Array.isArray(slot)) {
        if (slot.expires > t) continue;
        this.byAor.delete(aor);
        this.store?.delete(aor, slot.contactKey);
        purged++;
        continue;
      }
      const live = slot.filter((b) => b.expires > t);
      if (live.length === slot.length) continue;
      for (const b of slot) if (b.expires <= t) this.store?.delete(aor, b.contactKey);
      purged += slot.length - live.length;
      if (live.length === 0) this.byAor.delete(aor);
      else this.byAor.set(aor, live.length === 1 ? live[0] : live);
    }
    this.count -= purged;
    return purged;
  }

  /** Number of bindings held (unexpired or not yet purged). */
  size(): number {
    return this.count;
  }

  aorCount(): number {
    return this.byAor.size;
  }

  /** Every binding held, lapsed-but-not-purged included. */
  *entries(): IterableIterator<Binding> {
    for (const slot of this.byAor.values()) {
      if (Array.isArray(slot)) yield* slot;
      else yield slot;
    }
  }

  /**
   * Replaces the previous static set. Static bindings come from the seed file, so they are not
   * written to the store; a dynamic binding they displace is deleted from it.
   */
  loadStatic(bindings: Binding[]): void {
    for (const old of this.staticSet) {
      if (this.find(old.aor, old.contactKey) === old) this.detach(old.aor, old.contactKey);
    }
    this.staticSet = bindings.map((b) => {
      if (this.find(b.aor, b.contactKey) !== undefined) this.store?.delete(b.aor, b.contactKey);
      return this.place(b);
    });
  }

  /** Flushes and closes the store. */
  close(): void {
    this.store?.close();
  }

  /** Stores a copy of b as the most recent binding of its AOR, replacing the same contactKey. */
  private place(b: Binding): Binding {
    const slot = this.byAor.get(b.aor);
    if (slot === undefined) {
      const stored = storedCopy(b, undefined);
      this.byAor.set(stored.aor, stored);
      this.count++;
      return stored;
    }
    if (!Array.isArray(slot)) {
      const stored = storedCopy(b, slot.aor);
      if (slot.contactKey === b.contactKey) {
        this.byAor.set(stored.aor, stored);
      } else {
        this.byAor.set(stored.aor, [stored, slot]);
        this.count++;
      }
      return stored;
    }
    const stored = storedCopy(b, slot[0].aor);
    const i = slot.findIndex((x) => x.contactKey === b.contactKey);
    if (i >= 0) slot.splice(i, 1);
    else this.count++;
    slot.unshift(stored);
    return stored;
  }

  /** The binding (aor, contactKey) whether lapsed or not. */
  private find(aor: string, contactKey: string): Binding | undefined {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return slot.contactKey === contactKey ? slot : undefined;
    return slot.find((b) => b.contactKey === contactKey);
  }

  /** Takes (aor, contactKey) out of memory only; returns what was there. */
  private detach(aor: string, contactKey: string): Binding | undefined {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return undefined;
    let removed: Binding | undefined;
    if (!Array.isArray(slot)) {
      if (slot.contactKey !== contactKey) return undefined;
      removed = slot;
      this.byAor.delete(aor);
    } else {
      const i = slot.findIndex((b) => b.contactKey === contactKey);
      if (i < 0) return undefined;
      removed = slot[i];
      slot.splice(i, 1);
      if (slot.length === 1) this.byAor.set(aor, slot[0]);
    }
    this.count--;
    return removed;
  }
}

function byQDescending(a: Binding, b: Binding): number {
  return (b.q ?? 1) - (a.q ?? 1);
}

/**
 * A frozen copy with a fixed property order (so copies share hidden classes). It reuses
 * keyedAor, the AOR string already keyed in the map, and the contact string when contactKey equals it, so
 * each binding holds as few distinct strings as possible.
 */
function storedCopy(b: Binding, keyedAor: string | undefined): Binding {
  const contact = own(b.contact);
  const copy: Binding = {
    aor: keyedAor ?? own(b.aor),
    contact,
    contactKey: b.contactKey === b.contact ? contact : own(b.contactKey),
    expires: b.expires,
    callId: own(b.callId),
    cseq: b.cseq,
  };
  if (b.q !== undefined) copy.q = b.q;
  if (b.source !== undefined) copy.source = own(b.source);
  if (b.path !== undefined) copy.path = Object.freeze(b.path.map(own)) as string[];
  if (b.static) copy.static = true;
  if (b.userAgent !== undefined) copy.userAgent = own(b.userAgent);
  return Object.freeze(copy);
}

/**
 * A string that owns its characters. V8 represents a substring as a view into its parent, so a
 * Call-ID cut out of a REGISTER would otherwise keep the whole message text alive for an hour.
 */
function own(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
