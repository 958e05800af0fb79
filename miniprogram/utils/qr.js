// 二维码：用 npm 包 qrcode-generator（纯 JS，无 DOM/canvas 依赖）生成，输出 GIF 的 data URL，交给 <image> 显示。
// 在开发者工具里需「构建 npm」后才能 require 到（miniprogram_npm/qrcode-generator）。
const qrcode = require('qrcode-generator');

/** 文本 → {src: 'data:image/gif;base64,…', modules: 边长模块数}。cellSize 是每个模块的像素数。 */
function image(text, cellSize = 8) {
  const q = qrcode(0, 'M');
  q.addData(String(text || ''));
  q.make();
  return { src: q.createDataURL(cellSize, 4), modules: q.getModuleCount() };
}

module.exports = { image };
