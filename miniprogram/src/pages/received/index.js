// The ratings a member has received, as the public sees them, with the secretary's replies;
// twenty at a time, pull down to refresh.
const plates = require('../../services/plates');
const format = require('../../utils/format');

Component({
  behaviors: [require('../../behaviors/page'), require('../../behaviors/list')],
  methods: {
    onLoad(options) {
      this.memberId = Number(options.member_id);
      this.reload();
    },
    fetch(offset, limit) {
      return plates.received(this.memberId, offset, limit);
    },
    shape(r) {
      return { ...r, day: format.day(r.created_at) };
    },
  },
});
