// 志愿服务记录证明：按时间段申请（不填则为全部记录），同一时间段再申请得到同一份；点开即下载并打开 PDF。
const api = require('../rights/api');

Page({
  data: {
    items: [],
    start: '',
    end: '',
    showId: false,
    idLast4: '',
    idReason: '',
    idConsent: false,
    submitting: false,
  },

  onShow() {
    this.load();
  },

  async load() {
    try {
      this.setData({ items: await api.myCertificates() });
    } catch (e) {
      // 已提示。
    }
  },

  onStart(e) { this.setData({ start: e.detail.value }); },
  onEnd(e) { this.setData({ end: e.detail.value }); },
  onToggleId(e) { this.setData({ showId: e.detail.value }); },
  onIdLast4(e) { this.setData({ idLast4: e.detail.value }); },
  onIdReason(e) { this.setData({ idReason: e.detail.value }); },
  onIdConsent(e) { this.setData({ idConsent: (e.detail.value || []).length > 0 }); },

  async submit() {
    const body = { period_start: this.data.start || null, period_end: this.data.end || null };
    if (this.data.showId) {
      Object.assign(body, { id_last4: this.data.idLast4, id_reason: this.data.idReason, id_consent: this.data.idConsent });
    }
    this.setData({ submitting: true });
    try {
      const certificate = await api.requestCertificate(body, { loading: '正在出具' });
      wx.showToast({ title: `已出具，共 ${certificate.total_hours} 小时`, icon: 'none' });
      await this.load();
    } catch (e) {
      // 已提示（如该时间段没有已审核的时长）。
    } finally {
      this.setData({ submitting: false });
    }
  },

  async open(e) {
    try {
      await api.openCertificate(e.currentTarget.dataset.id);
    } catch (err) {
      wx.showToast({ title: (err && err.message) || '打开失败，请稍后重试', icon: 'none' });
    }
  },
});
