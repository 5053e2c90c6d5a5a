// The 党建信息登记表's rules, mirrored from the server (server/members/schemas.py) so a vendor
// sees what to fix before sending. The server checks again; its answer wins.
const MOBILE = /^1[3-9]\d{9}$/;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

const TEXT_FIELDS = {
  unit_name: { label: '经营单位名称', max: 100, required: true },
  name: { label: '姓名', max: 50, required: true },
  household_district: { label: '户籍所在地', max: 50, required: true },
  home_org: { label: '组织关系所在党组织', max: 100, required: true },
  stall_no: { label: '摊位号', max: 30, required: false },
  filled_by_name: { label: '填表人', max: 50, required: false },
};
const STANDINGS = ['full', 'probationary'];
const PLACEMENTS = ['standalone', 'in_market'];
const CATEGORIES = ['affiliated', 'local', 'floating'];

function text(value) {
  return typeof value === 'string' ? value.trim() : '';
}

// {valid, fields: {name: 中文 message}, data: the body to send}
function checkRegistration(form) {
  const fields = {};
  const data = {};
  Object.keys(TEXT_FIELDS).forEach((key) => {
    const rule = TEXT_FIELDS[key];
    const value = text(form[key]);
    if (!value) {
      if (rule.required) fields[key] = '不能为空';
      return;
    }
    if (CONTROL.test(value)) fields[key] = '含有不可见的控制字符';
    else if (value.length > rule.max) fields[key] = `太长了，最多 ${rule.max} 个字`;
    else data[key] = value;
  });
  const mobile = text(form.mobile);
  if (!MOBILE.test(mobile)) fields.mobile = '应为 11 位中国大陆手机号';
  else data.mobile = mobile;
  const filledByPhone = text(form.filled_by_phone);
  if (filledByPhone) {
    if (!MOBILE.test(filledByPhone)) fields.filled_by_phone = '应为 11 位中国大陆手机号';
    else data.filled_by_phone = filledByPhone;
  }
  if (typeof form.is_owner !== 'boolean') fields.is_owner = '请选择是否业主';
  else data.is_owner = form.is_owner;
  if (!STANDINGS.includes(form.standing)) fields.standing = '请选择正式党员或预备党员';
  else data.standing = form.standing;
  if (!Number.isInteger(form.life_org_id) || form.life_org_id < 1) fields.life_org_id = '请选择组织生活所在的支部';
  else data.life_org_id = form.life_org_id;
  if (form.category) {
    if (CATEGORIES.includes(form.category)) data.category = form.category;
    else fields.category = '请选择党员类别';
  }
  if (!PLACEMENTS.includes(form.placement)) {
    fields.placement = '请选择是否在市场内经营';
  } else {
    data.placement = form.placement;
    if (form.placement === 'in_market') {
      // The server's rule: a stall in a market needs both the market and the stall number.
      if (!Number.isInteger(form.market_id)) fields.market_id = '市场内个体工商户须填写市场和摊位号';
      else data.market_id = form.market_id;
      if (!data.stall_no && !fields.stall_no) fields.stall_no = '市场内个体工商户须填写市场和摊位号';
    } else {
      delete data.stall_no; // not in a market: no market, no stall
    }
  }
  return { valid: Object.keys(fields).length === 0, fields, data };
}

module.exports = { checkRegistration, MOBILE, TEXT_FIELDS };
