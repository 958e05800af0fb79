// 确认框：wx.showModal 包成 Promise（确认键用党建红）。ask 返回 {confirm, content}（editable 时 content 是填的字），
// confirm 只返回是否确认。
function ask(options) {
  return new Promise((resolve) => {
    wx.showModal({
      confirmColor: '#c7000b',
      ...options,
      success: (res) => resolve({ confirm: !!res.confirm, content: res.content || '' }),
      fail: () => resolve({ confirm: false, content: '' }),
    });
  });
}

async function confirm(options) {
  return (await ask(options)).confirm;
}

module.exports = { ask, confirm };
