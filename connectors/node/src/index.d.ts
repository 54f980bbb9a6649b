import type { IncomingMessage, ServerResponse } from 'node:http';

/** The claims of a waitroom admission pass (docs/api.md, "Admission pass"). */
export interface PassClaims {
  iss: string;
  /** The sale id. */
  aud: string;
  /** The fan id. */
  sub: string;
  /** The window that pulled the fan. */
  win: string;
  /** The fan's arrival number. */
  seq: number;
  iat: number;
  exp: number;
  /** `<sale>.<seq>`: the assignment. */
  jti: string;
  /** A fan of the sale's assisted lane. */
  assist?: boolean;
}

export type PassErrorCode =
  | 'pass_required'
  | 'bad_pass'
  | 'wrong_sale'
  | 'pass_expired'
  | 'pass_used'
  | 'jwks_unavailable';

export class PassError extends Error {
  code: PassErrorCode;
  status: 401 | 409 | 503;
}

export class OriginApiError extends Error {
  /** The HTTP status; 0 when the waiting room could not be reached. */
  status: number;
  /** The API's `error` code (`already_completed`, `assignment_not_found`, `busy`, ...). */
  code: string;
  retryAfterS?: number;
}

export interface VerifierOptions {
  /** The waiting room's URL; the JWKS is `/.well-known/jwks.json` there. */
  baseUrl?: string;
  /** The JWKS URL itself, instead of `baseUrl`. */
  jwksUrl?: string;
  /** The sale id (or ids) whose passes to accept: the pass's `aud`. */
  sale: string | string[];
  /** The pass's `iss` (the worker's `PASS_ISSUER`); default `waitroom`. */
  issuer?: string;
  /** Leeway on `exp` and `iat`, in seconds; default 5. */
  clockToleranceS?: number;
  /** How long the JWKS is kept; default 5 minutes. */
  cacheMaxAgeMs?: number;
  /** The least time between fetches caused by an unknown `kid`; default 30 s. */
  cooldownMs?: number;
  /** How long a JWKS fetch may take; default 5 s. */
  timeoutMs?: number;
  /** The clock (tests). */
  now?: () => Date;
}

export interface PassVerifier {
  verify(pass: string | undefined): Promise<PassClaims>;
}

export function createPassVerifier(options: VerifierOptions): PassVerifier;

export interface OnceStore {
  /** Records `jti` as used until `exp`; false if it was used already. */
  checkIn(jti: string, exp: number, nowS: number): boolean | Promise<boolean>;
}

export class MemoryOnceStore implements OnceStore {
  constructor(options?: { maxEntries?: number });
  checkIn(jti: string, exp: number, nowS: number): boolean;
  sweep(nowS: number): void;
}

type Request = IncomingMessage & { waitroomPass?: PassClaims; body?: unknown };
type Next = (error?: unknown) => void;

export interface MiddlewareOptions extends VerifierOptions {
  /** Where used `jti`s are kept (default: this process's memory); `false` to accept a pass again. */
  once?: OnceStore | false;
  /** Delivery `fragment`: a GET without a pass answers the page that posts it from the fragment. */
  fragmentPage?: boolean;
  /** Answers a refused pass (default: JSON with the error's status). */
  onRefused?: (error: PassError, req: Request, res: ServerResponse, next: Next) => void;
  /** A verifier to share between middlewares. */
  verifier?: PassVerifier;
}

/** Express middleware: `req.waitroomPass` holds the verified claims. */
export function waitroomPass(
  options: MiddlewareOptions,
): (req: Request, res: ServerResponse, next: Next) => Promise<void>;

/** The pass a request carries (query, or a form body), or undefined. */
export function passOf(req: Request): Promise<string | undefined>;

export interface Assignment {
  fan_id: string;
  seq: number;
  window: string;
  state: 'assigned' | 'completed' | 'released' | 'lapsed' | 'left' | 'expired';
  assigned_at: string;
  expires_at: string;
  [more: string]: unknown;
}

/** One item of a batch, in the order given: the assignment as it is now, or why it was refused. */
export type BatchItem =
  | (Assignment & { id: string })
  | { id: string; error: string; message: string };

/** What `completeMany` and `releaseMany` resolve to. */
export interface BatchResult {
  results: BatchItem[];
  /** Items finished now. */
  finished: number;
  /** Items refused alone (`already_completed`, `assignment_not_found`, ...). */
  refused: number;
}

/** The most assignments one request finishes; `completeMany` splits longer lists. */
export const MAX_BATCH: number;

export interface OriginClient {
  /** Many purchases went through, each assignment ends `completed` on its own (docs/api.md, "Complete in batches"). */
  completeMany(claims: Array<Pick<PassClaims, 'aud' | 'jti'>>): Promise<BatchResult>;
  completeMany(sale: string, ids: string[]): Promise<BatchResult>;
  /** Many fans abandoned their purchase, each assignment ends `released` on its own. */
  releaseMany(claims: Array<Pick<PassClaims, 'aud' | 'jti'>>): Promise<BatchResult>;
  releaseMany(sale: string, ids: string[]): Promise<BatchResult>;
  /** The purchase went through: the assignment ends `completed`. */
  complete(claims: Pick<PassClaims, 'aud' | 'jti'>): Promise<Assignment>;
  complete(sale: string, jti: string): Promise<Assignment>;
  /** The fan abandoned the purchase: the assignment ends `released`. */
  release(claims: Pick<PassClaims, 'aud' | 'jti'>): Promise<Assignment>;
  release(sale: string, jti: string): Promise<Assignment>;
  assignments(
    sale: string,
    query?: { state?: Assignment['state']; window?: string; limit?: number },
  ): Promise<Assignment[]>;
}

export function createOriginClient(options: {
  baseUrl: string;
  /** The origin key (`ORIGIN_KEY`), sent as `Authorization: Bearer`. */
  originKey: string;
  timeoutMs?: number;
}): OriginClient;

export const DEFAULT_CACHE_MAX_AGE_MS: number;
export const DEFAULT_COOLDOWN_MS: number;
export const DEFAULT_TIMEOUT_MS: number;
export const FRAGMENT_PAGE: string;
export const FRAGMENT_SCRIPT: string;
