// 楼栋公示栏：本楼栋签署承诺的党员（脱敏姓名）、承诺事项、楼栋长。
const api = require('../../../services/api');
const format = require('../../../utils/format');

Page({
  data: { building: '', year: '', head: '', members: [], loaded: false },

  onLoad(query = {}) {
    this.buildingId = Number(query.buildingId);
    return this.load(this.buildingId);
  },

  retry() {
    return this.load(this.buildingId);
  },

  async load(buildingId) {
    this.setData({ error: '' });
    try {
      const board = await api.pledgeBoard(buildingId, { showError: false });
      this.setData({
        building: board.building ? board.building.name : '',
        year: board.year,
        head: board.head && board.head.name ? board.head.name : '',
        members: (board.members || []).map((m, i) => ({
          key: i,
          name: m.name,
          isHead: !!m.is_head,
          items: (m.items || []).join('、'),
          ownWords: m.own_words || '',
          signedAt: format.formatDate(m.signed_at),
        })),
        loaded: true,
      });
    } catch (e) {
      this.setData({ loaded: true, error: e.message || '公示栏加载失败' });
    }
  },
});
