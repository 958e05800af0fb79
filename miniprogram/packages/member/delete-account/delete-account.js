// 注销账号：先申请，再输入确认语确认；冷静期内可随时撤销，期满后删除身份信息（时长、积分去标识化保留）。
const api = require('../rights/api');

Page({
  data: { state: null, phrase: '', busy: false },

  onShow() {
    this.load();
  },

  async load() {
    try {
      this.setData({ state: await api.deletionState() });
    } catch (e) {
      // 已提示。
    }
  },

  onPhrase(e) { this.setData({ phrase: e.detail.value }); },

  async act(name, ...args) {
    this.setData({ busy: true });
    try {
      this.setData({ state: await api[name](...args, { loading: '正在处理' }) });
    } catch (e) {
      // 已提示（如确认语不对）。
    } finally {
      this.setData({ busy: false });
    }
  },

  request() { return this.act('requestDeletion'); },
  confirm() { return this.act('confirmDeletion', this.data.phrase); },
  cancel() { return this.act('cancelDeletion'); },
});
