// 下载并打开 Excel（反馈单、导出表）：wx.downloadFile 带令牌下载，wx.openDocument({showMenu: true}) 打开，
// 右上角菜单里可以转发到微信、用其它应用打开或保存。
const http = require('./request');

function downloadFile(url) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url,
      header: { Authorization: `Bearer ${http.getToken()}` },
      success: (res) => (res.statusCode === 200 ? resolve(res.tempFilePath) : reject(new http.ApiError({ status: res.statusCode, code: `http_${res.statusCode}`, message: res.statusCode === 403 || res.statusCode === 404 ? '没有这份表格，或您无权查看' : '下载失败，请稍后再试' }))),
      fail: () => reject(new http.ApiError({ code: 'network_error', message: http.OFFLINE_MESSAGE })),
    });
  });
}

function openDocument(filePath) {
  return new Promise((resolve, reject) => {
    wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: resolve, fail: () => reject(new http.ApiError({ code: 'open_failed', message: '文件打不开，请在电脑上下载' })) });
  });
}

/** 下载并打开；出错时提示并返回 false。 */
async function openExcel(url) {
  wx.showLoading({ title: '正在下载', mask: true });
  try {
    const filePath = await downloadFile(url);
    wx.hideLoading();
    await openDocument(filePath);
    return true;
  } catch (err) {
    wx.hideLoading();
    wx.showToast({ title: err.message, icon: 'none', duration: 2500 });
    return false;
  }
}

module.exports = { openExcel };
