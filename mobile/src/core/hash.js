/**
 * SHA-256 of photo bytes, as the server checks them (lowercase hex).
 *
 * crypto.subtle exists only in a secure context (HTTPS or localhost); on a
 * plain-HTTP LAN address it is missing, and we say so instead of failing later
 * with a vague TypeError.
 */

/**
 * @param {ArrayBuffer|ArrayBufferView} bytes
 * @param {SubtleCrypto} [subtle] injectable for tests
 * @returns {Promise<string>} 64 lowercase hex characters
 */
export async function sha256Hex(bytes, subtle = globalThis.crypto?.subtle) {
  if (!subtle) throw new Error("crypto.subtle is unavailable: the app must be opened over HTTPS");
  const digest = await subtle.digest("SHA-256", bytes);
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
