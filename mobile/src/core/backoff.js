/**
 * Retry delays. Exponential so a dead network is not hammered, capped so a
 * shopper back in signal waits minutes, not hours, and jittered so phones that
 * lost the network together (a mall basement, a server restart) do not all
 * come back in the same second.
 */

export const BASE_MS = 5_000;
export const CAP_MS = 15 * 60_000;

/**
 * Delay before the next try after `attempts` failed ones:
 * min(15 min, 5 s · 2^attempts) · (0.5 + random()), i.e. ±50 % around the curve.
 * @param {number} attempts failures so far (0 for the first retry)
 * @param {() => number} [random] returns [0, 1)
 * @returns {number} milliseconds
 */
export function delay(attempts, random = Math.random) {
  const base = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts));
  return Math.round(base * (0.5 + random()));
}

/**
 * Milliseconds a Retry-After header asks us to wait (delta-seconds or an
 * HTTP date), or null when absent or unreadable.
 * @param {string|null|undefined} value
 * @param {number} nowMs
 * @returns {number|null}
 */
export function retryAfterMs(value, nowMs) {
  if (value == null || value === "") return null;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
