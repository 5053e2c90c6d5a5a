// A member's record: the member sees their own status and dates; their secretary can also mark
// them away (外出经营), their business suspended or closed (停业/歇业), back again, or left (离开),
// each with the day it happened (a past day records it late) and a reason for the history.
const account = require('../../services/account');
const members = require('../../services/members');
const labels = require('../../utils/labels');
const { today } = require('../../utils/format');
const { showError } = require('../../utils/request');

const ACTIONS = [
  { key: 'away', label: '外出经营' },
  { key: 'back', label: '已回本地经营' },
  { key: 'suspended', label: '停业' },
  { key: 'closed', label: '歇业' },
  { key: 'operating', label: '恢复正常经营' },
  { key: 'left', label: '离开（不再在册）' },
];
const LEFT_REASONS = Object.keys(labels.leftReason).map((value) => ({ value, label: labels.leftReason[value] }));

function view(member) {
  return {
    ...member,
    categoryLabel: labels.category[member.category],
    standingLabel: labels.standing[member.standing],
    genderLabel: member.gender ? labels.gender[member.gender] : '未填',
    businessLabel: labels.businessStatus[member.business_status] + (member.business_status_since ? `（${member.business_status_since} 起）` : ''),
    awayLabel: member.away_since ? `自 ${member.away_since} 起外出经营` : '在本地经营',
    membershipLabel: labels.membership[member.membership]
      + (member.left_on ? `（${member.left_on}，${labels.leftReason[member.left_reason] || ''}）` : ''),
  };
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', member: null, history: [], staff: false, actions: ACTIONS, leftReasons: LEFT_REASONS,
    action: -1, day: '', reason: '', leftReason: -1, saving: false, today: today(),
  },
  methods: {
    onLoad(options) {
      this.memberId = Number(options.id);
      this.setData({ day: today() });
      this.load();
    },
    async load() {
      try {
        const [me, member, history] = await Promise.all([account.start(), members.get(this.memberId),
          members.history(this.memberId)]);
        const own = me.member && me.member.id === member.id;
        this.setData({ loading: false, error: '', member: view(member), history: history.items, staff: me.staff && !own });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pickAction(event) {
      this.setData({ action: Number(event.detail.value) });
    },
    pickDay(event) {
      this.setData({ day: event.detail.value });
    },
    pickLeftReason(event) {
      this.setData({ leftReason: Number(event.detail.value) });
    },
    inputReason(event) {
      this.setData({ reason: event.detail.value });
    },
    async save() {
      const action = ACTIONS[this.data.action];
      if (!action) {
        wx.showModal({ title: '请选择要记录的情况', content: '外出、停业、歇业、回来或离开', showCancel: false });
        return;
      }
      const { day, reason } = this.data;
      const id = this.memberId;
      this.setData({ saving: true });
      try {
        if (action.key === 'away') await members.markAway(id, day, reason);
        else if (action.key === 'back') await members.markBack(id, reason);
        else if (action.key === 'left') {
          const chosen = LEFT_REASONS[this.data.leftReason];
          await members.markLeft(id, chosen && chosen.value, day, reason);
        } else await members.setBusiness(id, action.key, day, reason);
        wx.showToast({ title: '已记录' });
        this.setData({ action: -1, reason: '' });
        await this.load();
      } catch (error) {
        showError(wx, error);
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
