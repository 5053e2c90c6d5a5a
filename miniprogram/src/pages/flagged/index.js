// Low scores, complaints and comments WeChat wants a person to see, with the stall they are
// about: publish, hide with a reason (kept, never shown), or reply (shown under the comment on the
// public page). A reply leaves the rating waiting until it is published or hidden.
const plates = require('../../services/plates');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

const DONE = { publish: '已公开', hide: '已隐藏', reply: '已回复' };

function view(rating) {
  return {
    ...rating,
    // A customer's complaint is a complaint, whatever score came with it.
    why: rating.is_complaint ? '顾客投诉' : labels.flag[rating.flag_reason] || '',
    who: `${rating.member_name}（${rating.unit_name}${rating.stall_no ? `，${rating.stall_no}` : ''}）`,
    day: rating.created_at.slice(0, 10),
  };
}

Component({
  data: { items: [], loaded: false, replies: {}, reasons: {} },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const list = await plates.flagged();
        this.setData({ items: list.items.map(view), loaded: true });
      } catch (error) {
        showError(wx, error);
      }
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
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
  },
});
