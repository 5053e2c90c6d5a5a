// Home: what this person can do, by who they are (member, applicant, secretary).
const account = require('../../services/account');
const { scan } = require('../../utils/scan');
const { showError } = require('../../utils/request');
const labels = require('../../utils/labels');

Component({
  data: { loading: true, me: null, staff: false, status: '', reason: '', error: '' },
  methods: {
    onShow() {
      this.load();
    },
    async load() {
      try {
        const me = await account.start();
        const registration = me.registration;
        this.setData({
          loading: false, me, staff: me.staff, error: '',
          status: registration ? labels.registration[registration.status] : '',
          reason: registration && registration.status === 'rejected' ? registration.reject_reason : '',
        });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async bindPhone(event) {
      try {
        await account.bindPhone(event);
        wx.showToast({ title: '手机号已验证' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    async scan() {
      try {
        const url = await scan(wx);
        if (url) wx.navigateTo({ url });
      } catch (error) {
        showError(wx, error);
      }
    },
    go(event) {
      wx.navigateTo({ url: event.currentTarget.dataset.url });
    },
  },
});
