/** The renderer's entry: Vue, Pinia, the theme; the app talks to the rest of Parley only through window.parley. */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles/theme.css';
import './styles/base.css';

createApp(App).use(createPinia()).mount('#app');
