// Each pass's `jti` accepted once (docs/api.md, "Pass delivery"): a second use is someone else
// holding a copy of the pass.

/**
 * A store of the `jti`s already used, in this process's memory, each kept until its pass runs
 * out. Several origin processes behind a balancer need one shared store instead (e.g. Redis
 * `SET jti 1 NX EXAT exp`): pass your own `{checkIn}`.
 */
export class MemoryOnceStore {
  /** @param {{maxEntries?: number}} [options] at most this many live `jti`s (default 100,000) */
  constructor(options = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    /** @type {Map<string, number>} jti -> exp (Unix s) */
    this.used = new Map();
  }

  /**
   * Records `jti` as used until `exp`; false if it was used already.
   * @param {string} jti
   * @param {number} exp Unix seconds
   * @param {number} nowS Unix seconds
   */
  checkIn(jti, exp, nowS) {
    const seen = this.used.get(jti);
    if (seen !== undefined && seen >= nowS) return false;
    if (this.used.size >= this.maxEntries) this.sweep(nowS);
    if (this.used.size >= this.maxEntries) {
      // Full of live passes: forget the oldest (Map keeps insertion order) rather than grow.
      this.used.delete(this.used.keys().next().value);
    }
    this.used.delete(jti);
    this.used.set(jti, exp);
    return true;
  }

  /** Forgets the passes that have run out. */
  sweep(nowS) {
    for (const [jti, exp] of this.used) {
      if (exp < nowS) this.used.delete(jti);
    }
  }
}
