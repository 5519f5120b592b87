// Entry point: styles, then the app's composition root on #app.
import './ui/styles.css';
import { startApp } from './app/app.ts';

const root = document.getElementById('app');
if (root) startApp(root, { testHook: import.meta.env.MODE === 'e2e' || import.meta.env.MODE === 'bench' });
