// npm run screens：页面里的 TDesign 组件换成近似外观的替身（见 tests/helpers.js）。
process.env.SCREENS = '1';
