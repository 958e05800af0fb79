// 发起活动（简表）：标题、类别、日期与起止时间、地点（从本社区的楼栋里选，可补充说明）、名额；
// 「发布」立即发布（党员可报名），「存草稿」留在今天的活动里稍后发布。时间按北京时间提交。
const api = require('../../../services/api');
const format = require('../../../utils/format');
const { confirm } = require('../../../utils/modal');

const CATEGORIES = format.ACTIVITY_CATEGORIES.filter((c) => c.value);

Page({
  data: {
    communityId: null,
    categories: CATEGORIES,
    categoryIndex: 0,
    buildings: [],
    buildingIndex: -1,
    form: { title: '', date: '', start: '09:00', end: '11:00', place: '', capacity: '' },
    submitting: false,
    error: '',
  },

  onLoad(query = {}) {
    this.setData({ communityId: Number(query.communityId), 'form.date': format.formatDate(new Date()) });
    return this.loadBuildings();
  },

  async loadBuildings() {
    try {
      const buildings = await api.listBuildings(this.data.communityId, { loading: false, showError: false });
      this.setData({ buildings: [{ id: 0, name: '社区党群服务中心' }].concat(buildings), buildingIndex: 0, error: '' });
    } catch (e) {
      this.setData({ error: e.message || '楼栋加载失败' });
    }
  },

  onInput(e) {
    this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
  },

  onPick(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
  },

  onPickIndex(e) {
    this.setData({ [e.currentTarget.dataset.field]: Number(e.detail.value) });
  },

  validate() {
    const { form } = this.data;
    if (!form.title.trim()) return '请填写活动标题';
    if (!form.date) return '请选择日期';
    if (form.end <= form.start) return '结束时间要晚于开始时间';
    if (form.capacity && !(Number(form.capacity) >= 1)) return '名额请填正整数，或留空表示不限';
    return '';
  },

  body(publish) {
    const { form, categories, categoryIndex, buildings, buildingIndex } = this.data;
    const building = buildings[buildingIndex];
    const place = [building ? building.name : '', form.place.trim()].filter(Boolean).join(' ');
    return {
      title: form.title.trim(),
      category: categories[categoryIndex].value,
      starts_at: `${form.date}T${form.start}:00+08:00`,
      ends_at: `${form.date}T${form.end}:00+08:00`,
      address: place,
      capacity: form.capacity ? Number(form.capacity) : null,
      publish,
    };
  },

  async submit(e) {
    const publish = e.currentTarget.dataset.publish === 'yes';
    const problem = this.validate();
    if (problem) {
      wx.showToast({ title: problem, icon: 'none' });
      return null;
    }
    if (!publish) return this.save(false);
    const b = this.body(true);
    const yes = await confirm({ title: '发布活动', content: `「${b.title}」${format.timeRange(b.starts_at, b.ends_at)}，${b.address}。发布后本社区党员即可报名。`, confirmText: '发布' });
    return yes ? this.save(true) : null;
  },

  async save(publish) {
    if (this.data.submitting) return;
    this.setData({ submitting: true });
    try {
      await api.createActivity(this.data.communityId, this.body(publish), { loading: publish ? '正在发布' : '正在保存' });
      wx.showToast({ title: publish ? '已发布' : '已存为草稿', icon: 'success' });
      wx.navigateBack({ delta: 1 });
    } catch (err) {
      // 已提示（如时间不合理）。
    } finally {
      this.setData({ submitting: false });
    }
  },
});
