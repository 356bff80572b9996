// A read-through cache in front of the embedded store: the proxy looks the same subscriber and device up on
// every REGISTER and INVITE, and each SQLite read costs a file lock and a check of the file. The cache keeps
// answers (absent ones included) until the database changes: at most every `checkMs` it asks for the file's
// change counter (`version`, SQLite's data_version, which moves when another process commits), and a new
// value empties it. A change made with `sipd subscriber|device` is therefore in force within checkMs.
export class ReadCache<V> {
  private entries = new Map<string, V | undefined>();
  private nextCheck = 0;
  private seenVersion: number | undefined;

  constructor(
    private readonly checkMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
    private readonly version: () => number,
  ) {}

  get(key: string, load: () => V | undefined): V | undefined {
    if (this.checkMs <= 0) return load();
    const t = this.now();
    if (t >= this.nextCheck) {
      this.nextCheck = t + this.checkMs;
      const v = this.version();
      if (v !== this.seenVersion) {
        this.seenVersion = v;
        this.entries = new Map();
      }
    }
    if (this.entries.has(key)) return this.entries.get(key);
    const value = load();
    // Bounded by dropping everything at once: cheaper than an LRU, and the store refills what is in use.
    if (this.entries.size >= this.maxEntries) this.entries = new Map();
    this.entries.set(key, value);
    return value;
  }
}
