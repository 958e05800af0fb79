// 我的个人信息：每类信息、条数与用途；位置授权和公开榜单可随时撤回（效果当场显示）；可更正的内容与方式；
// 一键导出全部信息（JSON + Excel 的压缩包）；入口到证明和注销账号。
const api = require('../rights/api');

Page({
  data: { kinds: [], consents: [], corrections: [], exporting: false },

  onShow() {
    this.load();
  },

  async load() {
    try {
      const [info, consents, corrections] = await Promise.all([api.myInformation(), api.consents(), api.corrections()]);
      this.setData({ kinds: info.kinds, consents, corrections });
    } catch (e) {
      // 已提示。
    }
  },

  async onConsent(e) {
    const { kind } = e.currentTarget.dataset;
    try {
      const consents = await api.setConsent(kind, e.detail.value, { loading: '正在保存' });
      this.setData({ consents });
      const row = consents.find((c) => c.kind === kind);
      if (row) wx.showToast({ title: row.effect, icon: 'none', duration: 3000 });
    } catch (err) {
      this.setData({ consents: this.data.consents });
    }
  },

  async exportAll() {
    this.setData({ exporting: true });
    try {
      await api.exportMyInformation();
    } catch (err) {
      if (err && err.message) wx.showToast({ title: err.message, icon: 'none' });
    } finally {
      this.setData({ exporting: false });
    }
  },

  toCertificates() { wx.navigateTo({ url: '/packages/member/certificates/certificates' }); },
  toDelete() { wx.navigateTo({ url: '/packages/member/delete-account/delete-account' }); },
});
