module.exports = {
  testEnvironment: 'jsdom',
  // 2 核机器上多个任务同时跑时，一个页面测试可能超过默认的 5 秒。
  testTimeout: 30000,
  setupFilesAfterEnv: ['<rootDir>/tests/setup.js'],
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  modulePathIgnorePatterns: ['<rootDir>/miniprogram_npm/'],
  testPathIgnorePatterns: ['/node_modules/', '/miniprogram_npm/'],
};
