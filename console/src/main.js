// The console's entry: the app, its router, and TDesign's base styles (components bring their own).
import { createApp } from 'vue';
import 'tdesign-vue-next/es/style/index.css';
import './style.css';
import App from './App.vue';
import router from './router';

createApp(App).use(router).mount('#app');
