// 截图用的 TDesign 外观替身：测试环境没有「构建 npm」的产物，TDesign 组件本身跑不起来，
// 这里按标签给一个近似的外观（按钮、标签、空状态、结果、单元格），样式在 screens.css 里。
// 图标字体来自 TDesign 的 CDN，离线时加载不到，用近似的符号代替。
const ICONS = {
  scan: '⌗', time: '◷', 'chart-bar': '▥', flag: '⚑', 'file-paste': '▤', calendar: '▦', notification: '◉',
  'check-circle': '✓', 'add-circle': '+', 'file-excel': '▦', qrcode: '▩', location: '⌖', refresh: '↻', share: '↗',
  edit: '✎', swap: '⇄', 'help-circle': '?', 'info-circle': 'i', 'chevron-down': '▾', 'chevron-right': '›', secured: '⚿',
};

const PROPS = {
  title: String, note: String, label: String, description: String, content: String, text: String, theme: String,
  variant: String, size: String, icon: String, name: String, block: Boolean, loading: Boolean, disabled: Boolean,
  arrow: Boolean, color: String,
};

const TEMPLATES = {
  't-button': '<view data-t="button" data-theme="{{theme}}" data-variant="{{variant}}" data-size="{{size}}" data-block="{{block}}"><text wx:if="{{icon}}" data-t="glyph">{{glyph}}</text>{{content}}<slot /></view>',
  't-tag': '<view data-t="tag" data-theme="{{theme}}"><slot /></view>',
  't-empty': '<view data-t="empty"><view data-t="empty-icon">{{glyph || "○"}}</view><view data-t="empty-text">{{description}}</view><slot /></view>',
  't-result': '<view data-t="result" data-theme="{{theme}}"><view data-t="result-icon">{{theme === "success" ? "✓" : (theme === "error" ? "✕" : "!")}}</view><view data-t="result-title">{{title}}</view><view data-t="result-text">{{description}}</view></view>',
  't-loading': '<view data-t="loading">{{text || "加载中"}}</view>',
  't-icon': '<text data-t="icon" style="color: {{color}}">{{glyph}}</text>',
  't-cell-group': '<view data-t="cell-group"><view data-t="cell-group-title">{{title}}</view><view data-t="cell-group-body"><slot /></view></view>',
  't-cell': '<view data-t="cell"><text data-t="cell-title">{{title}}</text><text data-t="cell-note">{{note}}</text><text wx:if="{{arrow}}" data-t="cell-arrow">›</text></view>',
};

const ids = {};

/** 标签 → simulate 里注册的外观组件 id（没有专门外观的标签用按钮的样子）。 */
function stubFor(tag) {
  if (ids[tag]) return ids[tag];
  const simulate = require('miniprogram-simulate');
  ids[tag] = simulate.load({
    template: TEMPLATES[tag] || '<view data-t="generic"><slot /></view>',
    properties: PROPS,
    data: { glyph: '' },
    observers: {
      'icon, name': function iconChanged(icon, name) {
        this.setData({ glyph: ICONS[icon || name] || (icon || name ? '•' : '') });
      },
    },
  });
  return ids[tag];
}

module.exports = { stubFor, ICONS };
