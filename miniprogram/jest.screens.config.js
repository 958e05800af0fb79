// npm run screens 的第一步：用 miniprogram-simulate 把每个页面的主要状态渲染成 HTML（screens/html/），
// 第二步 scripts/screenshot.js 用 Chromium 截成 PNG。不是测试，不在 npm test 里跑。
module.exports = {
  testEnvironment: 'jsdom',
  testTimeout: 60000,
  setupFiles: ['<rootDir>/tests/screens/env.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/setup.js'],
  testMatch: ['<rootDir>/tests/screens/*.screens.js'],
  modulePathIgnorePatterns: ['<rootDir>/miniprogram_npm/'],
};
