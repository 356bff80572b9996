/** TLS session data by key, at most `capacity` entries (oldest dropped first), each valid for `lifetimeMs`. */
export class SessionCache<T = Buffer> {
  private readonly entries = new Map<string, { data: T; expires: number }>();

  constructor(private readonly capacity: number, private readonly lifetimeMs: number, private readonly now = Date.now) {}

  set(key: string, data: T): void {
    this.entries.delete(key);
    this.entries.set(key, { data, expires: this.now() + this.lifetimeMs });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires > this.now()) return e.data;
    this.entries.delete(key);
    return undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
