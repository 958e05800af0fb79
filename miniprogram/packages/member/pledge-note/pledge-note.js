// 履诺记录：写下为楼栋做了什么，可附最多 3 张照片（读成 base64 随 JSON 提交）；看我的历次记录与审核结果。
const api = require('../../../services/api');
const format = require('../../../utils/format');

const MAX_PHOTOS = 3;
// 服务端：每张照片 ≤ 3 MB，整个请求 ≤ 8 MB；照片按 base64 放进 JSON（变大约 4/3），
// 所以每张压缩后不超过 1.8 MB，3 张合计也在 8 MB 以内。
const MAX_PHOTO_BYTES = 1.8 * 1024 * 1024;

// 压缩到长边约 1280 像素、质量 70；压缩失败（低版本基础库）就用原图，后面再按大小把关。
function compress(src) {
  return new Promise((resolve) => {
    if (typeof wx.compressImage !== 'function') {
      resolve(src);
      return;
    }
    wx.compressImage({ src, quality: 70, compressedWidth: 1280, success: (res) => resolve(res.tempFilePath), fail: () => resolve(src) });
  });
}

function fileSize(filePath) {
  return new Promise((resolve) => {
    wx.getFileSystemManager().getFileInfo({ filePath, success: (res) => resolve(res.size), fail: () => resolve(0) });
  });
}
const NOTE_STATUS = { submitted: '待审核', verified: '已核实', returned: '已退回' };

function readBase64(filePath) {
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().readFile({ filePath, encoding: 'base64', success: (res) => resolve(res.data), fail: reject });
  });
}

Page({
  data: { pledgeId: null, content: '', photos: [], notes: [], submitting: false },

  onLoad(query = {}) {
    this.setData({ pledgeId: Number(query.pledgeId) });
    return this.loadNotes();
  },

  async loadNotes() {
    try {
      const notes = await api.myPledgeNotes({ loading: false });
      this.setData({
        notes: notes
          .filter((n) => !this.data.pledgeId || n.pledge_id === this.data.pledgeId)
          .map((n) => ({
            id: n.id,
            content: n.content,
            status: NOTE_STATUS[n.status] || n.status,
            reason: n.return_reason || '',
            date: format.formatDateTime(n.created_at),
            photos: (n.photo_urls || []).length,
          })),
      });
    } catch (e) {
      // 已提示。
    }
  },

  onInput(e) {
    this.setData({ content: e.detail.value });
  },

  choosePhotos() {
    const left = MAX_PHOTOS - this.data.photos.length;
    if (left <= 0) return;
    wx.chooseMedia({
      count: left,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: (res) => this.addPhotos((res.tempFiles || []).map((f) => f.tempFilePath)),
    });
  },

  async addPhotos(paths) {
    const kept = [];
    for (const original of paths) {
      const path = await compress(original);
      const size = await fileSize(path);
      if (size > MAX_PHOTO_BYTES) {
        wx.showToast({ title: `有一张照片太大（约 ${(size / 1024 / 1024).toFixed(1)} MB），请换一张`, icon: 'none', duration: 3000 });
      } else {
        kept.push(path);
      }
    }
    this.setData({ photos: this.data.photos.concat(kept).slice(0, MAX_PHOTOS) });
  },

  removePhoto(e) {
    const index = Number(e.currentTarget.dataset.index);
    this.setData({ photos: this.data.photos.filter((_, i) => i !== index) });
  },

  async submit() {
    const content = (this.data.content || '').trim();
    if (!content) {
      wx.showToast({ title: '请写下履诺情况', icon: 'none' });
      return;
    }
    this.setData({ submitting: true });
    try {
      let photos;
      try {
        photos = await Promise.all(this.data.photos.map(readBase64));
      } catch (e) {
        wx.showToast({ title: '照片读取失败，请重新选择', icon: 'none' });
        return;
      }
      await api.submitPledgeNote(this.data.pledgeId, { content, photos }, { loading: '正在提交' });
      wx.showToast({ title: '已提交，等待社区核实', icon: 'none' });
      this.setData({ content: '', photos: [] });
      await this.loadNotes();
    } catch (e) {
      // 已提示。
    } finally {
      this.setData({ submitting: false });
    }
  },
});
