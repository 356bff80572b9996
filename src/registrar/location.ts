/*
 * In-memory location service: AOR -> bindings, synchronous Map operations on the hot path,
 * written behind to an optional RegistryStore. An AOR with one binding maps straight to it;
 * only AORs with several contacts get an array (most recently registered first).
 */
import { detached } from '../sip';
import type { Binding } from '../store/binding';
import type { RegistryStore } from '../store/registry-store';

export type { Binding } from '../store/binding';

type Slot = StoredBinding | StoredBinding[];

export class LocationService {
  private readonly byAor = new Map<string, Slot>();
  private count = 0;
  /** The stored objects placed by the last loadStatic(), so the next one can take them out again. */
  private staticSet: StoredBinding[] = [];
  private followTimer?: NodeJS.Timeout;
  /** The store's dataVersion when memory last matched it. */
  private seenVersion: number | undefined;

  constructor(
    private readonly store: RegistryStore | null,
    private readonly now: () => number = Date.now,
  ) {
    this.seenVersion = store?.dataVersion?.();
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

  /**
   * Takes in what another process (`sipd regroute`) committed to the store: writes out what this service has
   * queued, then reads the whole store again and puts the seed-file static set back on top. Memory stays the
   * truth between two calls; returns whether anything was read.
   */
  syncFromStore(): boolean {
    const version = this.store?.dataVersion?.();
    if (this.store === null || version === this.seenVersion) return false;
    this.store.flush();
    const stored = this.store.loadAll();
    this.seenVersion = version;
    this.byAor.clear();
    this.count = 0;
    for (const b of stored) this.place(b);
    this.staticSet = this.staticSet.map((b) => this.place(b));
    return true;
  }

  /** Calls syncFromStore every `everyMs` until close(); a failed sync keeps memory as it was and goes to onError. */
  followStore(everyMs: number, onError: (err: unknown) => void): void {
    if (this.followTimer) clearInterval(this.followTimer);
    this.followTimer = setInterval(() => {
      try {
        this.syncFromStore();
      } catch (err) {
        onError(err);
      }
    }, everyMs);
    this.followTimer.unref();
  }

  /** Flushes and closes the store. */
  close(): void {
    if (this.followTimer) clearInterval(this.followTimer);
    this.store?.close();
  }

  /** Stores a copy of b as the most recent binding of its AOR, replacing the same contactKey. */
  private place(b: Binding): StoredBinding {
    const slot = this.byAor.get(b.aor);
    if (slot === undefined) {
      const stored = new StoredBinding(b, undefined);
      this.byAor.set(stored.aor, stored);
      this.count++;
      return stored;
    }
    if (!Array.isArray(slot)) {
      const stored = new StoredBinding(b, slot.aor);
      if (slot.hasKey(b.contactKey)) {
        this.byAor.set(stored.aor, stored);
      } else {
        this.byAor.set(stored.aor, [stored, slot]);
        this.count++;
      }
      return stored;
    }
    const stored = new StoredBinding(b, slot[0].aor);
    const i = slot.findIndex((x) => x.hasKey(b.contactKey));
    if (i >= 0) slot.splice(i, 1);
    else this.count++;
    slot.unshift(stored);
    return stored;
  }

  /** The binding (aor, contactKey) whether lapsed or not. */
  private find(aor: string, contactKey: string): StoredBinding | undefined {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return slot.hasKey(contactKey) ? slot : undefined;
    return slot.find((b) => b.hasKey(contactKey));
  }

  /** Takes (aor, contactKey) out of memory only; returns what was there. */
  private detach(aor: string, contactKey: string): StoredBinding | undefined {
    const slot = this.byAor.get(aor);
    if (slot === undefined) return undefined;
    let removed: StoredBinding | undefined;
    if (!Array.isArray(slot)) {
      if (!slot.hasKey(contactKey)) return undefined;
      removed = slot;
      this.byAor.delete(aor);
    } else {
      const i = slot.findIndex((b) => b.hasKey(contactKey));
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

/** The fields few bindings have, kept out of line so a plain binding carries one empty slot for all of them. */
interface RareFields {
  /** Only a key that does not start with the contact. */
  readonly contactKey?: string;
  readonly q?: number;
  readonly source?: string;
  readonly path?: readonly string[];
  readonly userAgent?: string;
  readonly static?: true;
}

/** Short contactKey tails, shared by every binding (registrar keys mostly end in ";" or ";tcp"). */
const tails = new Map<string, string>();
const TAIL_INTERN_MAX_LENGTH = 16;
const TAIL_INTERN_MAX_COUNT = 1024;

function tail(s: string): string {
  if (s.length > TAIL_INTERN_MAX_LENGTH) return detached(s);
  const known = tails.get(s);
  if (known !== undefined) return known;
  const copy = detached(s);
  if (tails.size < TAIL_INTERN_MAX_COUNT) tails.set(copy, copy);
  return copy;
}

/**
 * The binding as the service holds it: frozen, one hidden class for all, and as few strings as possible. A
 * contactKey that starts with the contact (the registrar's keys are the contact plus ";" and a transport) is not
 * stored: keyTail holds the rest, shared between bindings, and the key is rebuilt when asked for. Any other key,
 * and the rarely set fields, go to one out-of-line object.
 */
export class StoredBinding implements Binding {
  readonly aor: string;
  readonly contact: string;
  readonly expires: number;
  readonly callId: string;
  readonly cseq: number;
  /** contactKey = contact + keyTail; undefined: the key is rare.contactKey. */
  private readonly keyTail: string | undefined;
  private readonly rare: RareFields | undefined;

  /** keyedAor: the AOR string already keyed in the map, reused so the binding adds no copy of it. */
  constructor(b: Binding, keyedAor: string | undefined) {
    this.aor = keyedAor ?? detached(b.aor);
    this.contact = detached(b.contact);
    this.expires = b.expires;
    this.callId = detached(b.callId);
    this.cseq = b.cseq;
    const extendsContact = b.contactKey.startsWith(b.contact);
    this.keyTail = extendsContact ? tail(b.contactKey.slice(b.contact.length)) : undefined;
    this.rare = rareFields(b, extendsContact ? undefined : detached(b.contactKey));
    Object.freeze(this);
  }

  get contactKey(): string {
    if (this.keyTail === undefined) return this.rare!.contactKey!;
    return this.keyTail === '' ? this.contact : this.contact + this.keyTail;
  }

  /** contactKey === key, without building the key. */
  hasKey(key: string): boolean {
    const t = this.keyTail;
    if (t === undefined) return this.rare!.contactKey === key;
    return key.length === this.contact.length + t.length && key.startsWith(this.contact) && key.endsWith(t);
  }

  get q(): number | undefined {
    return this.rare?.q;
  }

  get source(): string | undefined {
    return this.rare?.source;
  }

  get path(): string[] | undefined {
    return this.rare?.path as string[] | undefined;
  }

  get static(): boolean | undefined {
    return this.rare?.static;
  }

  get userAgent(): string | undefined {
    return this.rare?.userAgent;
  }
}

function rareFields(b: Binding, contactKey: string | undefined): RareFields | undefined {
  if (contactKey === undefined && b.q === undefined && b.source === undefined && b.path === undefined && !b.static && b.userAgent === undefined) {
    return undefined;
  }
  const r: { -readonly [K in keyof RareFields]: RareFields[K] } = {};
  if (contactKey !== undefined) r.contactKey = contactKey;
  if (b.q !== undefined) r.q = b.q;
  if (b.source !== undefined) r.source = detached(b.source);
  if (b.path !== undefined) r.path = Object.freeze(b.path.map(detached));
  if (b.static) r.static = true;
  if (b.userAgent !== undefined) r.userAgent = detached(b.userAgent);
  return Object.freeze(r);
}

