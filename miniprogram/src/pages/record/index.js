// The meeting record the secretary fills after the meeting: who chaired, who took the minutes,
// who spoke, the topics and (for a 党员大会 or 支委会) the resolutions with their votes. People
// are picked from those expected at the meeting; the server checks everything again.
const activities = require('../../services/activities');
const labels = require('../../utils/labels');
const { showError } = require('../../utils/request');

const NOBODY = '（不填）';
const PEOPLE = ['host', 'recorder', 'speaker'];

function indexOf(people, person) {
  if (!person || person.member_id == null) return 0;
  const found = people.findIndex((p) => p.member_id === person.member_id);
  return found < 0 ? 0 : found + 1;
}

// Rows keep a key of their own: wx:key must not be the index of a list people add to and delete from.
let lastKey = 0;
function keyed(row) {
  lastKey += 1;
  return { key: `r${lastKey}`, ...row };
}

function votesText(value) {
  return value === null || value === undefined ? '' : String(value);
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: {
    loading: true, error: '', saving: false, title: '', kindLabel: '', decides: false, quorum: null, counts: null,
    names: [NOBODY], hostIndex: 0, recorderIndex: 0, speakerIndex: 0, speakerName: '', guests: '',
    topics: [''], resolutions: [], minutes: '', fieldErrors: {},
  },
  methods: {
    onLoad(options) {
      this.id = Number(options.id);
      this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const [activity, record, sheet] = await Promise.all([
          activities.detail(this.id), activities.record(this.id), activities.attendance(this.id)]);
        this.people = sheet.entries.map((e) => ({ member_id: e.member_id, name: e.name }));
        this.setData({
          loading: false, title: activity.title, kindLabel: labels.activityKind[activity.kind], decides: record.decides,
          quorum: record.quorum,
          counts: { expected: record.expected, present: record.present, leave: record.leave, absent: record.absent + record.unrecorded },
          names: [NOBODY, ...this.people.map((p) => p.name)],
          hostIndex: indexOf(this.people, record.host), recorderIndex: indexOf(this.people, record.recorder),
          speakerIndex: indexOf(this.people, record.speaker),
          speakerName: record.speaker && record.speaker.member_id == null ? record.speaker.name : '',
          guests: record.guests, topics: (record.topics.length ? record.topics : ['']).map((text) => keyed({ text })),
          minutes: record.minutes,
          resolutions: record.resolutions.map((r) => keyed({
            text: r.text, votes_for: votesText(r.votes_for), votes_against: votesText(r.votes_against), abstaining: votesText(r.abstaining),
          })),
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    pick(event) {
      this.setData({ [`${event.currentTarget.dataset.who}Index`]: Number(event.detail.value) });
    },
    input(event) {
      this.setData({ [event.currentTarget.dataset.field]: event.detail.value });
    },
    addTopic() {
      this.setData({ topics: [...this.data.topics, keyed({ text: '' })] });
    },
    removeTopic(event) {
      const topics = this.data.topics.filter((_, i) => i !== Number(event.currentTarget.dataset.index));
      this.setData({ topics: topics.length ? topics : [keyed({ text: '' })] });
    },
    addResolution() {
      this.setData({ resolutions: [...this.data.resolutions, keyed({ text: '', votes_for: '', votes_against: '', abstaining: '' })] });
    },
    removeResolution(event) {
      this.setData({ resolutions: this.data.resolutions.filter((_, i) => i !== Number(event.currentTarget.dataset.index)) });
    },
    body() {
      const d = this.data;
      const chosen = (index) => (index > 0 ? this.people[index - 1].member_id : null);
      const votes = (text) => (String(text).trim() === '' ? null : Number(text));
      return {
        host_id: chosen(d.hostIndex), recorder_id: chosen(d.recorderIndex), speaker_id: chosen(d.speakerIndex),
        speaker_name: d.speakerIndex > 0 ? '' : d.speakerName.trim(), guests: d.guests.trim(),
        topics: d.topics.map((t) => t.text.trim()).filter(Boolean), minutes: d.minutes,
        resolutions: d.resolutions.filter((r) => r.text.trim()).map((r) => ({
          text: r.text.trim(), votes_for: votes(r.votes_for), votes_against: votes(r.votes_against), abstaining: votes(r.abstaining),
        })),
      };
    },
    async save() {
      if (this.data.saving) return;
      this.setData({ saving: true, fieldErrors: {} });
      try {
        const record = await activities.saveRecord(this.id, this.body());
        this.setData({ saving: false, quorum: record.quorum });
        wx.showToast({ title: '会议记录已保存' });
      } catch (error) {
        this.setData({ saving: false, fieldErrors: error.fields || {} });
        showError(wx, error);
      }
    },
  },
});
