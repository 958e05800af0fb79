// 包楼栋承诺书：选楼栋（居住楼栋或责任区）、勾选承诺事项、写一句承诺、在画布上手写签名，导出 PNG（base64）提交。
// 已签署的显示承诺内容，可去写履诺记录、看楼栋公示栏。
const auth = require('../../../services/auth');
const api = require('../../../services/api');
const format = require('../../../utils/format');
const { confirm } = require('../../../utils/modal');

const CANVAS_ID = '#signature';

function canvasToTempFile(canvas) {
  return new Promise((resolve, reject) => {
    wx.canvasToTempFilePath({ canvas, fileType: 'png', success: (res) => resolve(res.tempFilePath), fail: reject });
  });
}

function readBase64(filePath) {
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().readFile({ filePath, encoding: 'base64', success: (res) => resolve(res.data), fail: reject });
  });
}

Page({
  data: {
    year: '',
    pledges: [],
    template: null,
    items: [],
    buildings: [],
    buildingIndex: 0,
    ownWords: '',
    hasSignature: false,
    submitting: false,
    showForm: false,
  },

  onLoad() {
    this.strokes = [];
    return this.load();
  },

  onReady() {
    this.initCanvas();
  },

  // 画布在 wx:if="{{showForm}}" 里：首次渲染（onReady）时通常还不存在，要等 load() 把 showForm 设为真、
  // 渲染完（setData 的回调）再取节点。每次表单重新出现都重新取，旧节点已随表单销毁。
  initCanvas() {
    if (!this.data.showForm || typeof wx.createSelectorQuery !== 'function') return;
    wx.createSelectorQuery()
      .select(CANVAS_ID)
      .fields({ node: true, size: true })
      .exec((res) => {
        const info = res && res[0];
        if (!info || !info.node) return;
        const dpr = (wx.getWindowInfo ? wx.getWindowInfo().pixelRatio : 2) || 2;
        const canvas = info.node;
        canvas.width = info.width * dpr;
        canvas.height = info.height * dpr;
        const ctx = canvas.getContext('2d');
        ctx.scale(dpr, dpr);
        ctx.lineWidth = 3;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        ctx.strokeStyle = '#000';
        this.canvas = canvas;
        this.ctx = ctx;
        this.canvasSize = { width: info.width, height: info.height };
      });
  },

  async load() {
    this.canvas = null;
    this.ctx = null;
    const me = await auth.freshMe();
    const communityId = me && me.member && me.member.community && me.member.community.id;
    if (!communityId) {
      this.setData({ showForm: false, pledges: [], template: null });
      wx.showToast({ title: '报到通过后才能签署承诺书', icon: 'none' });
      return;
    }
    try {
      const [pledges, templates, buildings] = await Promise.all([
        api.myPledges(),
        api.pledgeTemplates(communityId, { loading: false }),
        api.pledgeBuildings({ loading: false }),
      ]);
      const template = templates[0] || null;
      const active = pledges.filter((p) => p.status === 'active').map((p) => ({
        id: p.id,
        year: p.year,
        building: p.building ? p.building.name : '',
        buildingId: p.building ? p.building.id : null,
        items: p.items.join('、'),
        ownWords: p.own_words,
        signedAt: format.formatDateTime(p.signed_at),
      }));
      const pledgedYearBuildings = active.filter((p) => template && p.year === template.year).map((p) => p.buildingId);
      const open = buildings.filter((b) => pledgedYearBuildings.indexOf(b.id) < 0);
      this.setData({
        pledges: active,
        template,
        year: template ? template.year : '',
        items: template ? template.items.map((name) => ({ name, checked: false })) : [],
        buildings: open,
        buildingIndex: 0,
        showForm: !!template && open.length > 0,
      }, () => this.initCanvas());
    } catch (e) {
      // 已提示。
    }
  },

  onItems(e) {
    const chosen = e.detail.value || [];
    this.setData({ items: this.data.items.map((it) => ({ ...it, checked: chosen.indexOf(it.name) >= 0 })) });
  },

  onBuilding(e) {
    this.setData({ buildingIndex: Number(e.detail.value) });
  },

  onOwnWords(e) {
    this.setData({ ownWords: e.detail.value });
  },

  // 手写签名
  point(e) {
    const t = (e.touches && e.touches[0]) || {};
    return { x: t.x, y: t.y };
  },

  onSignStart(e) {
    const p = this.point(e);
    this.strokes.push([p]);
    if (this.ctx) {
      this.ctx.beginPath();
      this.ctx.moveTo(p.x, p.y);
    }
  },

  onSignMove(e) {
    const p = this.point(e);
    const stroke = this.strokes[this.strokes.length - 1];
    if (!stroke) return;
    stroke.push(p);
    if (this.ctx) {
      this.ctx.lineTo(p.x, p.y);
      this.ctx.stroke();
    }
    if (!this.data.hasSignature && stroke.length > 1) this.setData({ hasSignature: true });
  },

  clearSignature() {
    this.strokes = [];
    if (this.ctx && this.canvasSize) this.ctx.clearRect(0, 0, this.canvasSize.width, this.canvasSize.height);
    this.setData({ hasSignature: false });
  },

  async exportSignature() {
    const filePath = await canvasToTempFile(this.canvas);
    return readBase64(filePath);
  },

  async submit() {
    const items = this.data.items.filter((it) => it.checked).map((it) => it.name);
    const building = this.data.buildings[this.data.buildingIndex];
    if (!items.length) {
      wx.showToast({ title: '请至少选择一项承诺事项', icon: 'none' });
      return;
    }
    if (!this.data.hasSignature) {
      wx.showToast({ title: '请在签名区手写签名', icon: 'none' });
      return;
    }
    this.setData({ submitting: true });
    try {
      let signature;
      try {
        signature = await this.exportSignature();
      } catch (e) {
        wx.showToast({ title: '签名保存失败，请重新签名', icon: 'none' });
        return;
      }
      await api.signPledge(
        {
          template_id: this.data.template.id,
          building_id: building.id,
          items,
          own_words: (this.data.ownWords || '').trim(),
          signature_png_base64: signature,
        },
        { loading: '正在提交' },
      );
      wx.showToast({ title: '承诺书已签署', icon: 'success' });
      this.clearSignature();
      await this.load();
    } catch (e) {
      // 已提示。
    } finally {
      this.setData({ submitting: false });
    }
  },

  // 撤回承诺（如搬离了这栋楼）：确认后撤回，楼栋公示栏不再显示。
  async withdraw(e) {
    const id = Number(e.currentTarget.dataset.id);
    const yes = await confirm({ title: '撤回承诺', content: '撤回后楼栋公示栏不再显示您的这份承诺，已有的履诺记录保留。确定撤回吗？', confirmText: '撤回' });
    if (!yes) return;
    try {
      await api.withdrawPledge(id, { loading: '正在撤回' });
      wx.showToast({ title: '已撤回', icon: 'none' });
      await this.load();
    } catch (err) {
      // 已提示。
    }
  },

  writeNote(e) {
    wx.navigateTo({ url: `/packages/member/pledge-note/pledge-note?pledgeId=${e.currentTarget.dataset.id}` });
  },

  openBoard(e) {
    wx.navigateTo({ url: `/packages/member/pledge-board/pledge-board?buildingId=${e.currentTarget.dataset.building}` });
  },
});
