module.exports = {
  testEnvironment: 'jsdom',
  setupFilesAfterEnv: ['<rootDir>/tests/setup.js'],
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  modulePathIgnorePatterns: ['<rootDir>/miniprogram_npm/'],
  testPathIgnorePatterns: ['/node_modules/', '/miniprogram_npm/'],
};
