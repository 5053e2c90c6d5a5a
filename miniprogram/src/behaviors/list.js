// A paged list with pull-to-refresh, the next page at the bottom, and loading, empty and error
// states. The page gives fetch(offset, limit) → {items, total} and optionally shape(item).
const PAGE_SIZE = 20;

module.exports = Behavior({
  data: { items: [], total: 0, loading: true, loadingMore: false, error: '', done: false },
  methods: {
    async reload() {
      this.setData({ loading: !this.data.items.length, error: '' });
      try {
        const page = await this.fetch(0, PAGE_SIZE);
        const items = page.items.map((item) => this.shape(item));
        this.setData({ items, total: page.total, loading: false, done: items.length >= page.total || page.items.length < PAGE_SIZE });
      } catch (error) {
        this.setData({ loading: false, error: error.message });
      }
    },
    async more() {
      if (this.data.done || this.data.loadingMore || this.data.loading || this.data.error) return;
      this.setData({ loadingMore: true });
      try {
        const page = await this.fetch(this.data.items.length, PAGE_SIZE);
        const seen = new Set(this.data.items.map((item) => item.id));
        const items = this.data.items.concat(page.items.map((item) => this.shape(item)).filter((item) => !seen.has(item.id)));
        this.setData({ items, total: page.total, loadingMore: false, done: items.length >= page.total || page.items.length < PAGE_SIZE });
      } catch (error) {
        this.setData({ loadingMore: false });
        wx.showToast({ title: '加载失败，上拉重试', icon: 'none' });
      }
    },
    shape(item) {
      return item;
    },
    async onPullDownRefresh() {
      await this.reload();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      this.more();
    },
  },
});

module.exports.PAGE_SIZE = PAGE_SIZE;
