// Low scores, complaints and comments WeChat wants a person to see, with the stall they are
// about: publish, hide with a reason (kept, never shown), or reply (shown under the comment on the
// public page). A reply leaves the rating waiting until it is published or hidden.
const plates = require('../../services/plates');
const labels = require('../../utils/labels');
const format = require('../../utils/format');
const { showError } = require('../../utils/request');

const DONE = { publish: '已公开', hide: '已隐藏', reply: '已回复' };

function view(rating) {
  return {
    ...rating,
    // A customer's complaint is a complaint, whatever score came with it.
    why: rating.is_complaint ? '顾客投诉' : labels.flag[rating.flag_reason] || '',
    who: `${rating.member_name}（${rating.unit_name}${rating.stall_no ? `，${rating.stall_no}` : ''}）`,
    day: format.when(rating.created_at),
  };
}

Component({
  behaviors: [require('../../behaviors/page'), require('../../behaviors/list')],
  data: { replies: {}, reasons: {} },
  methods: {
    onShow() {
      this.reload();
    },
    fetch(offset, limit) {
      return plates.flagged(offset, limit);
    },
    shape(rating) {
      return view(rating);
    },
    typeReply(event) {
      this.setData({ [`replies.${event.currentTarget.dataset.id}`]: event.detail.value });
    },
    typeReason(event) {
      this.setData({ [`reasons.${event.currentTarget.dataset.id}`]: event.detail.value });
    },
    async act(event) {
      const { id, action } = event.currentTarget.dataset;
      try {
        if (action === 'publish') await plates.publish(id);
        else if (action === 'hide') await plates.hide(id, (this.data.reasons[id] || '').trim());
        else await plates.reply(id, (this.data.replies[id] || '').trim());
        wx.showToast({ title: DONE[action] });
        this.reload();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
