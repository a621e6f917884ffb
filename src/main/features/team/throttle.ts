/**
 * Login throttling: after `maxFailures` wrong logins within `windowMs` for one username (or `maxPerAddress` from
 * one address, an office behind one NAT included), further attempts are refused until the oldest failure is older
 * than the window. In memory: a restart forgets it, which costs an attacker a restart of someone else's server.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly opts: { maxFailures: number; maxPerAddress: number; windowMs: number } = {
      maxFailures: 5,
      maxPerAddress: 30,
      windowMs: 15 * 60 * 1000,
    },
    private readonly clock: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const now = this.clock();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds until another attempt for this username from this address is allowed (0: now). */
  retryAfter(username: string, address: string): number {
    const now = this.clock();
    let wait = 0;
    for (const [key, max] of [
      [`u:${username.toLowerCase()}`, this.opts.maxFailures],
      [`a:${address}`, this.opts.maxPerAddress],
    ] as const) {
      const list = this.recent(key);
      if (list.length >= max) wait = Math.max(wait, list[list.length - max] + this.opts.windowMs - now);
    }
    return Math.ceil(wait / 1000);
  }

  failed(username: string, address: string): void {
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) {
      const list = this.recent(key);
      list.push(this.clock());
      this.failures.set(key, list);
    }
    // Bounded memory whatever an attacker sends: the oldest keys go first.
    while (this.failures.size > 50_000) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }
}
