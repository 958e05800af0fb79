// 运行配置：接口地址、开发用演示登录。发布前把 baseURL 换成正式 HTTPS 域名，并删除 demoLogin。
module.exports = {
  // 服务端根地址（不含 /api/v1）。真机调试时改成电脑的局域网地址。
  baseURL: 'http://127.0.0.1:5000',
  apiPrefix: '/api/v1',
  // 仅开发环境：填一个演示账号名（如 'member001'），登录时发送 demo:<名字>:<时间戳>，
  // 由服务端开发模式下的「模拟微信接口」接受。正式环境必须为空字符串。
  demoLogin: '',
  // 隐私保护指引版本；登录后以 GET /me 返回的 privacy_notice_version 为准。
  privacyNoticeVersion: '2026-11',
  // 网络失败后，写操作（带同一 Idempotency-Key）重试一次前等待的毫秒数。
  networkRetryDelayMs: 800,
  requestTimeoutMs: 15000,
  // 现场签到码里放的链接：<前缀>?scene=<签到码>。在小程序管理后台「开发管理 → 扫普通链接二维码打开小程序」
  // 把这个前缀配置到页面 packages/member/clock/clock，党员用微信「扫一扫」就能直接打开签到页（启动参数 q）；
  // 在小程序里点「扫码签到」扫同一个码也能识别（取链接里的 scene）。
  clockLinkPrefix: 'https://party.example.cn/clock',
};
