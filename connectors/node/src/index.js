export { waitroomPass, passOf } from './middleware.js';
export {
  createPassVerifier,
  DEFAULT_CACHE_MAX_AGE_MS,
  DEFAULT_COOLDOWN_MS,
  DEFAULT_TIMEOUT_MS,
} from './verifier.js';
export { createOriginClient, MAX_BATCH } from './origin.js';
export { MemoryOnceStore } from './once.js';
export { PassError, OriginApiError } from './errors.js';
export { FRAGMENT_PAGE, FRAGMENT_SCRIPT } from './fragment.js';
