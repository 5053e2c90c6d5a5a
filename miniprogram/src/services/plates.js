const { get, request, upload } = require('./client');
const { nonce } = require('../utils/nonce');

function profile(memberId) {
  return request('profile', { params: { member_id: memberId } });
}

function consentText() {
  return request('consentText');
}

function giveConsent(memberId, version) {
  return request('giveConsent', { params: { member_id: memberId }, data: { version } });
}

function withdrawConsent(memberId) {
  return request('withdrawConsent', { params: { member_id: memberId } });
}

function savePledge(memberId, pledge) {
  return request('updatePledge', { params: { member_id: memberId }, data: { pledge } });
}

function issuePlate(memberId) {
  return request('issuePlate', { params: { member_id: memberId } });
}

// wx.uploadFile (multipart POST, field "photo"); the server re-encodes it and drops EXIF.
function uploadPhoto(wxApi, memberId, filePath) {
  return upload(wxApi, 'uploadPhoto', { member_id: memberId }, filePath, 'photo');
}

function plateImageUrl(memberId) {
  return get().client.url('platePng', { member_id: memberId });
}

function received(memberId, offset = 0, limit = 20) {
  return request('myRatings', { params: { member_id: memberId }, query: { limit, offset } });
}

function publicProfile(code) {
  return request('publicProfile', { params: { code } });
}

// A customer's rating: with the mini-program's login, the server knows them by openid.
function rate(code, { score, comment, complaint }) {
  if (!Number.isInteger(score) || score < 1 || score > 5) return Promise.reject(new Error('请先点星星打分（1 到 5 分）'));
  return request('rate', { params: { code }, data: { score, comment: comment || '', complaint: Boolean(complaint), nonce: nonce() } });
}

function flagged(offset = 0, limit = 20) {
  return request('ratings', { query: { status: 'flagged', limit, offset } });
}

function publish(id) {
  return request('publishRating', { params: { rating_id: id } });
}

function hide(id, reason) {
  if (!reason || !reason.trim()) return Promise.reject(new Error('请写明隐藏原因'));
  return request('hideRating', { params: { rating_id: id }, data: { reason: reason.trim() } });
}

function reply(id, text) {
  return request('replyRating', { params: { rating_id: id }, data: { reply: text } });
}

module.exports = {
  profile, consentText, giveConsent, withdrawConsent, savePledge, issuePlate, uploadPhoto, plateImageUrl, received,
  publicProfile, rate, flagged, publish, hide, reply,
};
