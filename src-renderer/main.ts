import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createClient } from './client';
import { provideClient } from './stores/client';
import './style.css';

provideClient(createClient());
createApp(App).use(createPinia()).mount('#app');
