// 发通知（网上动员）：对象可以是本活动报名的党员、全社区、某个网格、某栋楼、某个单位的党员或某类党员
// （服务端支持的对象）；发送前确认对象，发送后显示送达人数。
const api = require('../../../services/api');
const format = require('../../../utils/format');
const { confirm } = require('../../../utils/modal');

const AUDIENCES = [
  { type: 'activity', label: '本活动报名的党员' },
  { type: 'community', label: '全社区党员' },
  { type: 'grids', label: '某个网格的党员' },
  { type: 'buildings', label: '某栋楼的党员' },
  { type: 'units', label: '某个单位的党员' },
  { type: 'member_types', label: '某类党员' },
];
const ID_FIELD = { grids: 'grid_ids', buildings: 'building_ids', units: 'unit_ids' };

Page({
  data: { id: null, communityId: null, audiences: [], audienceIndex: 0, options: [], optionIndex: -1, title: '', body: '', sent: null, sending: false },

  onLoad(query = {}) {
    const id = query.id ? Number(query.id) : null;
    const audiences = AUDIENCES.filter((a) => a.type !== 'activity' || id);
    this.setData({ id, communityId: Number(query.communityId), audiences, audienceIndex: 0 });
    return this.loadOptions();
  },

  // 选了网格 / 楼栋 / 单位 / 党员类别，再取可选的具体对象。
  async loadOptions() {
    const type = this.data.audiences[this.data.audienceIndex].type;
    const cid = this.data.communityId;
    const quiet = { loading: false };
    let options = [];
    try {
      if (type === 'grids') options = await api.communityGrids(cid, quiet);
      if (type === 'buildings') options = await api.listBuildings(cid, quiet);
      if (type === 'units') options = await api.listUnits(quiet);
      if (type === 'member_types') options = format.MEMBER_TYPES.map((t) => ({ id: t.value, name: t.label }));
    } catch (e) {
      options = [];
    }
    this.setData({ options, optionIndex: options.length ? 0 : -1 });
  },

  onAudience(e) {
    this.setData({ audienceIndex: Number(e.detail.value) });
    return this.loadOptions();
  },

  onOption(e) {
    this.setData({ optionIndex: Number(e.detail.value) });
  },

  onField(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
  },

  audience() {
    const a = this.data.audiences[this.data.audienceIndex];
    const option = this.data.options[this.data.optionIndex];
    if (a.type === 'activity') return { audience: { type: 'activity', activity_id: this.data.id }, label: a.label };
    if (a.type === 'community') return { audience: { type: 'community' }, label: a.label };
    if (!option) return null;
    if (a.type === 'member_types') return { audience: { type: 'member_types', member_types: [option.id] }, label: option.name };
    return { audience: { type: a.type, [ID_FIELD[a.type]]: [option.id] }, label: `${option.name}的党员` };
  },

  async send() {
    const title = (this.data.title || '').trim();
    const body = (this.data.body || '').trim();
    if (!title || !body) {
      wx.showToast({ title: '请填写标题和内容', icon: 'none' });
      return null;
    }
    const target = this.audience();
    if (!target) {
      wx.showToast({ title: '请选择发给谁', icon: 'none' });
      return null;
    }
    const yes = await confirm({ title: '确认发送', content: `发给：${target.label}\n标题：${title}\n发送后不能撤回，已订阅的党员会收到微信提醒。`, confirmText: '发送' });
    return yes ? this.doSend(title, body, target.audience) : null;
  },

  async doSend(title, body, audience) {
    this.setData({ sending: true });
    try {
      const payload = { title, body, audience };
      if (this.data.id) payload.activity_id = this.data.id;
      const notice = await api.sendNotice(this.data.communityId, payload, { loading: '正在发送' });
      const stats = notice.stats || {};
      this.setData({ sent: { audience: stats.audience_size || 0, subscribe: stats.subscribe_sent || 0 } });
    } catch (e) {
      // 已提示（如内容未通过安全检测）。
    } finally {
      this.setData({ sending: false });
    }
  },
});
