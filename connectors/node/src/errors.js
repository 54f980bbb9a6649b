// Why a pass was refused, as a code an origin can branch on and an HTTP status to answer with.

/** A pass that did not verify, or the waiting room that could not be asked. */
export class PassError extends Error {
  /**
   * @param {string} code one of `pass_required`, `bad_pass`, `wrong_sale`, `pass_expired`,
   *   `pass_used`, `jwks_unavailable`
   * @param {string} message for a person (never contains the pass)
   * @param {{cause?: unknown}} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'PassError';
    this.code = code;
    this.status = STATUS[code] ?? 401;
  }
}

const STATUS = {
  pass_required: 401,
  bad_pass: 401,
  wrong_sale: 401,
  pass_expired: 401,
  pass_used: 409,
  jwks_unavailable: 503,
};

/** An answer of the waiting room's origin API that was not a success (or no answer at all). */
export class OriginApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: no answer)
   * @param {string} code the API's `error` code (`assignment_not_found`, `already_completed`, ...)
   * @param {string} message
   */
  constructor(status, code, message, options) {
    super(message, options);
    this.name = 'OriginApiError';
    this.status = status;
    this.code = code;
  }
}
