// 单位党组织书记：本单位党员在各社区的表现反馈单（Excel），下载后用微信打开，可转发或用其它应用打开。
const api = require('../../../services/api');
const download = require('../../../services/download');

function periods(now = new Date()) {
  const year = now.getFullYear();
  return [
    { value: `${year}`, label: `${year} 年全年` },
    { value: `${year}-H1`, label: `${year} 年上半年` },
    { value: `${year}-H2`, label: `${year} 年下半年` },
    { value: `${year - 1}`, label: `${year - 1} 年全年` },
  ];
}

Page({
  data: { unitId: null, periods: periods() },

  onLoad(query = {}) {
    this.setData({ unitId: Number(query.unitId) });
  },

  open(e) {
    const period = e.currentTarget.dataset.period;
    return download.openExcel(api.unitFeedbackXlsxUrl(this.data.unitId, period));
  },
});
