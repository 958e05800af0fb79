// 固定党员活动日（每月15日前后）：本月是否已参加；没参加的预约补课（名额有限），可取消预约。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const format = require('../../../utils/format');

const STATUS = {
  attended: { label: '本月已参加', theme: 'ok' },
  booked: { label: '已预约补课', theme: 'warn' },
  missing: { label: '本月尚未参加', theme: 'danger' },
};

Page({
  data: { month: '', status: '', statusLabel: '', statusTheme: '', partyDay: '', sessions: [], bookedId: null, loaded: false },

  onLoad() {
    this.setData({ month: format.monthOf(new Date()) });
    return this.load();
  },

  retry() {
    return this.load();
  },

  async load() {
    this.setData({ error: '' });
    const me = await auth.freshMe();
    const communityId = me && me.member && me.member.community && me.member.community.id;
    try {
      const [mine, sessions] = await Promise.all([
        api.myPartyDay(this.data.month),
        communityId ? api.makeupSessions(communityId, this.data.month, { loading: false }) : Promise.resolve([]),
      ]);
      const s = STATUS[mine.status] || STATUS.missing;
      this.setData({
        status: mine.status,
        statusLabel: s.label,
        statusTheme: s.theme,
        partyDay: mine.party_day ? format.formatDateCn(`${mine.party_day}T12:00:00+08:00`) : '',
        bookedId: mine.makeup_session_id || null,
        sessions: sessions.map((x) => ({
          id: x.id,
          title: x.title,
          time: format.timeRange(x.starts_at, x.ends_at),
          address: x.address,
          left: x.places_left === null || x.places_left === undefined ? x.capacity - x.booked_count : x.places_left,
        })),
        loaded: true,
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '加载失败' });
    }
  },

  async book(e) {
    const id = Number(e.currentTarget.dataset.id);
    try {
      await api.bookMakeup(id, { loading: '正在预约' });
      wx.showToast({ title: '预约成功', icon: 'success' });
      await this.load();
    } catch (err) {
      // 已提示（如名额已满）。
    }
  },

  cancel(e) {
    const id = Number(e.currentTarget.dataset.id);
    wx.showModal({
      title: '取消预约',
      content: '确定取消这次补课预约吗？',
      confirmColor: '#c7000b',
      success: async (res) => {
        if (!res.confirm) return;
        try {
          await api.cancelMakeup(id, { loading: '正在取消' });
          wx.showToast({ title: '已取消预约', icon: 'none' });
          await this.load();
        } catch (err) {
          // 已提示。
        }
      },
    });
  },
});
