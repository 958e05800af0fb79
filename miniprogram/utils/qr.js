// 二维码矩阵：用 npm 包 qrcode-generator（纯 JS，无 DOM/canvas 依赖），返回 [[true/false…]…]。
// 在开发者工具里需「构建 npm」后才能 require 到（miniprogram_npm/qrcode-generator）。
const qrcode = require('qrcode-generator');

function matrix(text) {
  const q = qrcode(0, 'M');
  q.addData(String(text || ''));
  q.make();
  const n = q.getModuleCount();
  const rows = [];
  for (let r = 0; r < n; r += 1) {
    const row = [];
    for (let c = 0; c < n; c += 1) row.push(q.isDark(r, c));
    rows.push(row);
  }
  return rows;
}

module.exports = { matrix };
