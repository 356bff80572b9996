// A short-lived read-through cache in front of the embedded store: the proxy looks the same subscriber and
// device up on every REGISTER and INVITE, and each SQLite read costs a file lock and a check of the file,
// which is what lets changes from `sipd subscriber` in another process show at once. Within `ttlMs` an
// answer (absent included) is reused; a change made elsewhere is therefore in force after at most ttlMs.
export class ReadCache<V> {
  private entries = new Map<string, { value: V | undefined; until: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries: number, private readonly now: () => number) {}

  get(key: string, load: () => V | undefined): V | undefined {
    if (this.ttlMs <= 0) return load();
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > t) return hit.value;
    const value = load();
    // Bounded by dropping everything at once: cheaper than an LRU, and the store refills what is in use.
    if (this.entries.size >= this.maxEntries) this.entries = new Map();
    this.entries.set(key, { value, until: t + this.ttlMs });
    return value;
  }
}
