// 现场花名册（实时）：已报名 / 已签到 / 已签退 / 缺席；每 15 秒刷新。没能签到的可补录时长，必须写明理由（书记审核后计入）。
const api = require('../../../services/api');
const format = require('../../../utils/format');

const REFRESH_MS = 15000;
const SUMMARY = [
  ['signed_up', '已报名'],
  ['clocked_in', '已签到'],
  ['clocked_out', '已签退'],
  ['absent', '缺席'],
  ['waitlisted', '候补'],
];

Page({
  data: { id: null, summary: [], entries: [], adding: null, hours: '', reason: '', search: '', found: [], offline: false, error: '' },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id) });
    return this.load();
  },

  // 定时刷新不弹提示：断网时页面顶上显示一次「网络不可用」，网络恢复时立即刷新。
  onShow() {
    if (!this.timer) this.timer = setInterval(() => this.load({ loading: false }), REFRESH_MS);
    if (!this.onNetwork && wx.onNetworkStatusChange) {
      this.onNetwork = (res) => {
        if (res.isConnected) this.load({ loading: false });
        else this.setData({ offline: true });
      };
      wx.onNetworkStatusChange(this.onNetwork);
    }
  },

  onHide() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.onNetwork && wx.offNetworkStatusChange) wx.offNetworkStatusChange(this.onNetwork);
    this.onNetwork = null;
  },

  onUnload() {
    this.onHide();
  },

  async load(options = {}) {
    try {
      const roster = await api.roster(this.data.id, { ...options, showError: false });
      const summary = roster.summary || {};
      this.setData({
        offline: false,
        error: '',
        summary: SUMMARY.map(([key, label]) => ({ key, label, count: summary[key] || 0 })),
        entries: (roster.entries || []).map((e) => ({
          memberId: e.member.id,
          name: e.member.name,
          state: e.state,
          stateLabel: format.stateLabel(e.state),
          inAt: e.attendance ? format.formatDateTime(e.attendance.clock_in_at).slice(11) : '',
          outAt: e.attendance && e.attendance.clock_out_at ? format.formatDateTime(e.attendance.clock_out_at).slice(11) : '',
          hours: e.hours !== null && e.hours !== undefined ? format.hoursText(e.hours) : '',
          canAdd: ['signed_up', 'absent', 'none', 'unconfirmed'].indexOf(e.state) >= 0,
        })),
      });
    } catch (e) {
      if (e.code === 'network_error') this.setData({ offline: true });
      else this.setData({ error: e.message || '花名册加载失败' });
    }
  },

  startAdd(e) {
    const { id, name } = e.currentTarget.dataset;
    this.setData({ adding: { memberId: Number(id), name }, hours: '', reason: '' });
  },

  cancelAdd() {
    this.setData({ adding: null });
  },

  onField(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
  },

  async searchMembers() {
    const name = (this.data.search || '').trim();
    if (!name) return;
    try {
      const { items } = await api.listMembers({ name });
      this.setData({ found: items.map((m) => ({ id: m.id, name: m.name, place: [m.building && m.building.name, m.room].filter(Boolean).join(' ') })) });
    } catch (e) {
      // 已提示。
    }
  },

  async submitAdd() {
    const hours = Number(this.data.hours);
    const reason = (this.data.reason || '').trim();
    if (!(hours > 0 && hours <= 24)) {
      wx.showToast({ title: '请填写 0–24 之间的时长', icon: 'none' });
      return;
    }
    if (!reason) {
      wx.showToast({ title: '请写明补录理由', icon: 'none' });
      return;
    }
    try {
      await api.addManualRecord(this.data.id, { member_id: this.data.adding.memberId, hours, reason }, { loading: '正在提交' });
      wx.showToast({ title: '已补录，待书记审核后计入', icon: 'none' });
      this.setData({ adding: null, found: [], search: '' });
      await this.load({ loading: false });
    } catch (e) {
      // 已提示。
    }
  },
});
