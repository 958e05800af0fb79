// 审核箱：报到、补录时长、申诉、加减分、履诺记录、未签退，按类切换；通过或写明理由退回。
// 顶上每类显示待办条数；没有权限的类不显示（由服务端决定，如网格员只审本网格的报到）。
const auth = require('../../../services/auth');
const roles = require('../../../services/roles');
const inbox = require('../../../services/inbox');

Page({
  data: { communityId: null, tabs: [], active: '', items: [], loaded: false, error: '', deciding: null, reason: '' },

  onLoad(query = {}) {
    this.wanted = query.kind || '';
    return this.load();
  },

  onPullDownRefresh() {
    return this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    const me = await auth.freshMe();
    const communityId = roles.staffCommunityId(me);
    const counts = await inbox.counts(communityId);
    const tabs = inbox.KINDS.filter((k) => counts[k.key] !== null).map((k) => ({ key: k.key, label: k.label, count: counts[k.key] }));
    const keep = tabs.find((t) => t.key === (this.data.active || this.wanted));
    const firstWithWork = tabs.find((t) => t.count > 0);
    const active = (keep || firstWithWork || tabs[0] || {}).key || '';
    this.setData({ communityId, tabs, active });
    return this.loadItems();
  },

  async loadItems() {
    if (!this.data.active) {
      this.setData({ items: [], loaded: true });
      return;
    }
    try {
      const items = await inbox.items(this.data.active, this.data.communityId);
      const k = inbox.kind(this.data.active);
      this.setData({
        items,
        loaded: true,
        error: '',
        deciding: null,
        approveLabel: k.approve.label,
        rejectLabel: k.reject ? k.reject.label : '',
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '待办加载失败' });
    }
  },

  onTab(e) {
    this.setData({ active: e.currentTarget.dataset.key, items: [], loaded: false });
    return this.loadItems();
  },

  // 通过：不需要理由的直接提交；需要理由的（申诉成立、确认到场）先展开输入框。
  approve(e) {
    const id = Number(e.currentTarget.dataset.id);
    const action = inbox.kind(this.data.active).approve;
    if (action.needsReason) {
      this.setData({ deciding: { id, action: 'approve', placeholder: action.placeholder, label: action.label }, reason: '' });
      return null;
    }
    return this.run(action, id);
  },

  startReject(e) {
    const id = Number(e.currentTarget.dataset.id);
    const action = inbox.kind(this.data.active).reject;
    this.setData({ deciding: { id, action: 'reject', placeholder: action.placeholder, label: action.label }, reason: '' });
  },

  onReason(e) {
    this.setData({ reason: e.detail.value });
  },

  cancelDecision() {
    this.setData({ deciding: null });
  },

  confirmDecision() {
    const reason = (this.data.reason || '').trim();
    if (!reason) {
      wx.showToast({ title: '请填写理由', icon: 'none' });
      return null;
    }
    const k = inbox.kind(this.data.active);
    const action = this.data.deciding.action === 'approve' ? k.approve : k.reject;
    return this.run(action, this.data.deciding.id, reason);
  },

  async run(action, id, reason) {
    try {
      await action.run(id, reason);
      wx.showToast({ title: `已${action.label}`, icon: 'none' });
      await this.load();
    } catch (err) {
      // 已提示（如已被别人处理）。
    }
  },
});
