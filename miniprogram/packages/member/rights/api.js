// 志愿服务记录证明、我的个人信息、注销账号这几页的接口。普通请求经 services/request（带令牌、统一报错）；
// 文件（证明 PDF、个人信息导出包）用 wx.downloadFile 带上同一个令牌下载。
const http = require('../../../services/request');
const config = require('../../../config');

function downloadFile(path) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: `${config.baseURL}${config.apiPrefix}${path}`,
      header: { Authorization: `Bearer ${wx.getStorageSync(http.TOKEN_KEY) || ''}` },
      success: (res) => (res.statusCode === 200
        ? resolve(res.tempFilePath)
        : reject(new Error(res.statusCode === 410 ? '该证明的文件已随账号注销删除' : '下载失败，请稍后重试'))),
      fail: () => reject(new Error(http.OFFLINE_MESSAGE || '网络不可用，请稍后重试')),
    });
  });
}

function call(api, options) {
  return new Promise((resolve, reject) => wx[api]({ ...options, success: resolve, fail: reject }));
}

module.exports = {
  myCertificates: (options) => http.get('/me/certificates', options),
  requestCertificate: (body, options) => http.post('/me/certificates', body, options),
  // 下载后用系统的文档查看器打开；右上角菜单可转发、保存。
  async openCertificate(id) {
    const filePath = await downloadFile(`/certificates/${id}/pdf`);
    await call('openDocument', { filePath, fileType: 'pdf', showMenu: true });
  },

  privacyGuide: (options) => http.get('/privacy/guide', { ...options, auth: false }),
  myInformation: (options) => http.get('/me/privacy', options),
  consents: (options) => http.get('/me/privacy/consents', options),
  setConsent: (kind, granted, options) => http.post(`/me/privacy/consents/${kind}`, { granted }, options),
  corrections: (options) => http.get('/me/privacy/corrections', options),
  // 导出包是 zip（data.json + data.xlsx + 图片）：下载后发到聊天里保存。
  async exportMyInformation() {
    const filePath = await downloadFile('/me/privacy/export');
    await call('shareFileMessage', { filePath, fileName: '我的个人信息.zip' });
  },

  deletionState: (options) => http.get('/me/account-deletion', options),
  requestDeletion: (options) => http.post('/me/account-deletion', null, options),
  confirmDeletion: (phrase, options) => http.post('/me/account-deletion/confirm', { confirm: phrase }, options),
  cancelDeletion: (options) => http.post('/me/account-deletion/cancel', null, options),
};
