// My plate: pledge, photo, whether the profile is public (its own consent screen), and the
// plate itself, previewed as the server draws it.
const plates = require('../../services/plates');
const { get } = require('../../services/client');
const { showError } = require('../../utils/request');

function download(url, token) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url, header: { Authorization: `Bearer ${token}` },
      success: (res) => (res.statusCode === 200 ? resolve(res.tempFilePath) : reject(new Error('三亮牌图片加载失败'))),
      fail: () => reject(new Error('网络不给力，请稍后再试')),
    });
  });
}

Component({
  behaviors: [require('../../behaviors/page')],
  data: { loading: true, error: '', profile: null, pledge: '', image: '' },
  methods: {
    onLoad(options) {
      this.memberId = Number(options.member_id);
    },
    onShow() {
      this.load();
    },
    async load() {
      try {
        const profile = await plates.profile(this.memberId);
        this.setData({ loading: false, error: '', profile, pledge: profile.pledge });
        if (profile.plate_code) {
          this.setData({ image: await download(plates.plateImageUrl(this.memberId), get().auth.token()) });
        }
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    inputPledge(event) {
      this.setData({ pledge: event.detail.value });
    },
    async savePledge() {
      try {
        await plates.savePledge(this.memberId, this.data.pledge.trim());
        wx.showToast({ title: '承诺已保存' });
        this.load();
      } catch (error) {
        showError(wx, error);
      }
    },
    // The album or camera: WeChat shows the privacy sheet first when it is needed.
    choosePhoto() {
      wx.chooseMedia({
        count: 1, mediaType: ['image'], sizeType: ['compressed'],
        success: async (res) => {
          try {
            await plates.uploadPhoto(wx, this.memberId, res.tempFiles[0].tempFilePath);
            wx.showToast({ title: '照片已更新' });
            this.load();
          } catch (error) {
            showError(wx, error);
          }
        },
      });
    },
    consent() {
      wx.navigateTo({ url: `/pages/consent/index?member_id=${this.memberId}` });
    },
    issue() {
      const again = Boolean(this.data.profile.plate_code);
      wx.showModal({
        title: again ? '重新生成三亮牌' : '生成三亮牌',
        content: again ? '旧牌上的二维码将作废，需要打印新牌挂到摊位上。' : '生成后可打印三亮牌挂到摊位上。',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await plates.issuePlate(this.memberId);
            this.load();
          } catch (error) {
            showError(wx, error);
          }
        },
      });
    },
    preview() {
      if (this.data.image) wx.previewImage({ urls: [this.data.image] });
    },
  },
});
