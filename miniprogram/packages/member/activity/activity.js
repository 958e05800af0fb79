// 活动详情：内容、时间地点、名额；报名（名额满进候补并显示位次）/ 取消报名；签到、签退入口。
// 报名按钮的点击里顺带请求订阅「报名成功 / 候补转正 / 活动开始提醒」消息，结果报给服务端。
const api = require('../../../services/api');
const subscribe = require('../../../services/subscribe');
const format = require('../../../utils/format');

const SIGNUP_PURPOSES = ['signup_confirmed', 'signup_promoted', 'activity_reminder', 'activity_changed', 'activity_cancelled'];

Page({
  data: {
    id: null,
    activity: null,
    time: '',
    places: '',
    mySignup: '',
    waitlistPosition: null,
    canSignUp: false,
    canWithdraw: false,
    canClock: false,
  },

  onLoad(query = {}) {
    this.setData({ id: Number(query.id) });
    subscribe.preload();
    return this.load();
  },

  retry() {
    return this.load();
  },

  async load(options = {}) {
    try {
      const a = await api.getActivity(this.data.id, { ...options, showError: false });
      this.setData({ error: '' });
      this.show(a);
    } catch (e) {
      this.setData({ error: e.message || '活动加载失败' });
    }
  },

  show(a) {
    const open = ['published', 'in_progress'].indexOf(a.status) >= 0;
    const mine = a.my_signup_status;
    this.setData({
      activity: a,
      time: format.timeRange(a.starts_at, a.ends_at),
      places: a.capacity
        ? `名额 ${a.capacity} 人，已报名 ${a.confirmed_count || 0} 人${a.waitlisted_count ? `，候补 ${a.waitlisted_count} 人` : ''}`
        : `不限名额，已报名 ${a.confirmed_count || 0} 人`,
      mySignup: format.signupLabel(mine),
      canSignUp: a.status === 'published' && (!mine || mine === 'withdrawn'),
      canWithdraw: a.status === 'published' && (mine === 'confirmed' || mine === 'waitlisted'),
      canClock: open && mine !== 'waitlisted',
    });
  },

  onSignUp() {
    // 订阅请求必须在点击里先发起（不能等网络）。
    const asked = subscribe.request(SIGNUP_PURPOSES);
    return asked.then(() => this.doSignUp());
  },

  async doSignUp() {
    try {
      const signup = await api.signUp(this.data.id, { loading: '正在报名' });
      if (signup.status === 'waitlisted') {
        this.setData({ waitlistPosition: signup.waitlist_position || null });
        wx.showToast({ title: `名额已满，已进入候补第${signup.waitlist_position || ''}位`, icon: 'none' });
      } else {
        this.setData({ waitlistPosition: null });
        wx.showToast({ title: '报名成功', icon: 'success' });
      }
      await this.load({ loading: false });
    } catch (e) {
      // 已提示。
    }
  },

  onWithdraw() {
    wx.showModal({
      title: '取消报名',
      content: '确定取消报名吗？名额会让给候补的党员。',
      confirmColor: '#c7000b',
      success: async (res) => {
        if (!res.confirm) return;
        try {
          await api.withdrawSignUp(this.data.id, { loading: '正在取消' });
          this.setData({ waitlistPosition: null });
          wx.showToast({ title: '已取消报名', icon: 'none' });
          await this.load({ loading: false });
        } catch (e) {
          // 已提示。
        }
      },
    });
  },

  // 转发到微信群：点开的人直接到这个活动的详情页（未登录的会先自动登录）。
  onShareAppMessage() {
    const a = this.data.activity || {};
    return {
      title: a.title ? `${a.title}（${this.data.time}）` : '社区志愿服务活动',
      path: `/packages/member/activity/activity?id=${this.data.id}`,
    };
  },

  onClock(e) {
    const action = e.currentTarget.dataset.action;
    wx.navigateTo({ url: `/packages/member/clock/clock?id=${this.data.id}&action=${action}` });
  },
});
