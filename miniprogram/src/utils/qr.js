// What a scanned QR code or a link that opened the mini-program holds. WeChat's "scan an
// ordinary link" rule hands the page the whole URL in options.q, URL-encoded.
const CHECKIN = /\/c\/([A-Za-z0-9._~-]{8,100})$/;
const PLATE = /\/p\/([23456789abcdefghjkmnpqrstuvwxyz]{10,16})$/;
const DESK = /\/l\/([A-Za-z0-9_-]{16,64})$/; // the desk's login QR on a computer screen
const MEMBER = /\/m\/([23456789abcdefghjkmnpqrstuvwxyz]{10,16})$/; // a member's sign-in card or 我的签到码

function decodeQ(q) {
  if (!q) return '';
  try {
    return decodeURIComponent(q);
  } catch (e) {
    return '';
  }
}

// {kind: 'checkin', token} | {kind: 'plate', code} | {kind: 'desk', code} | {kind: 'member', code} | {kind: 'unknown'}
function parseUrl(text) {
  const url = String(text || '').trim().split(/[?#]/)[0];
  let match = CHECKIN.exec(url);
  if (match) return { kind: 'checkin', token: match[1] };
  match = PLATE.exec(url);
  if (match) return { kind: 'plate', code: match[1] };
  match = DESK.exec(url);
  if (match) return { kind: 'desk', code: match[1] };
  match = MEMBER.exec(url);
  if (match) return { kind: 'member', code: match[1] };
  return { kind: 'unknown' };
}

// A page's onLoad options: {q} from a scanned link, or {token}/{code} from a shared path.
function fromOptions(options) {
  const opts = options || {};
  if (opts.q) return parseUrl(decodeQ(opts.q));
  if (opts.token) return { kind: 'checkin', token: opts.token };
  if (opts.code) return parseUrl(`/p/${opts.code}`);
  return { kind: 'unknown' };
}

module.exports = { parseUrl, fromOptions };
