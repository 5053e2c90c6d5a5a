// A random nonce for writes a phone may retry (check-in, rating): the server answers a retry
// with the same nonce like the first time. Letters, digits, _ and - only (the server's rule).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

function nonce(length = 24, random = Math.random) {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

module.exports = { nonce };
