const { get, request, upload } = require('./client');

// 流动党员: the member's registration and proof, and the secretary's confirmation, comment and
// queue. The 身份证号 is checked here as the server checks it (GB 11643), so a slip of the finger
// is caught before anything is sent; the server keeps it encrypted and only ever shows it masked.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function idProblem(value, today = new Date()) {
  const number = String(value || '').trim().toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(number)) return '身份证号应为18位：17位数字加1位数字或X';
  const sum = WEIGHTS.reduce((total, w, i) => total + w * Number(number[i]), 0);
  if ('10X98765432'[sum % 11] !== number[17]) return '身份证号的校验位不对，请核对';
  const [y, m, d] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number);
  const born = new Date(Date.UTC(y, m - 1, d));
  if (born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) return '身份证号里的出生日期不存在，请核对';
  if (y < 1900 || born > today) return '身份证号里的出生日期不对，请核对';
  return '';
}

const view = (memberId) => request('floating', { params: { member_id: memberId } });

function register(memberId, form) {
  const problem = idProblem(form.id_number);
  if (problem) return Promise.reject(new Error(problem));
  const need = { home_org_contact: '原籍党组织联系人', home_org_phone: '原籍党组织电话', home_org_address: '原籍党组织地址', inflow_on: '流入时间' };
  const missing = Object.keys(need).find((key) => !String(form[key] || '').trim());
  if (missing) return Promise.reject(new Error(`请填写${need[missing]}`));
  const data = {
    id_number: form.id_number.trim().toUpperCase(), home_org_contact: form.home_org_contact.trim(),
    home_org_phone: form.home_org_phone.trim(), home_org_address: form.home_org_address.trim(), inflow_on: form.inflow_on,
    activity_card_no: (form.activity_card_no || '').trim(),
  };
  return request('saveFloating', { params: { member_id: memberId }, data });
}

const uploadProof = (wxApi, memberId, filePath) => upload(wxApi, 'uploadFloatingProof', { member_id: memberId }, filePath, 'file');
const proofUrl = (memberId) => get().client.url('floatingProof', { member_id: memberId });
const confirmProof = (memberId) => request('confirmFloatingProof', { params: { member_id: memberId } });

function rejectProof(memberId, reason) {
  if (!reason || !reason.trim()) return Promise.reject(new Error('请写明退回的原因'));
  return request('rejectFloatingProof', { params: { member_id: memberId }, data: { reason: reason.trim() } });
}

function comment(memberId, year, grade, text) {
  if (!grade) return Promise.reject(new Error('请选择等次'));
  if (!text || !text.trim()) return Promise.reject(new Error('请写评语'));
  return request('floatingComment', { params: { member_id: memberId, year }, data: { grade, text: text.trim() } });
}

const report = (orgId, year) => request('floatingReport', { query: { org_id: orgId, year } });
const remindMe = (orgId) => request('subscribeReceiptReminder', { data: { org_id: orgId } });

module.exports = { idProblem, view, register, uploadProof, proofUrl, confirmProof, rejectProof, comment, report, remindMe };
