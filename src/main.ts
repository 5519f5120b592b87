// Entry point: hands the page to the app's composition root.
const root = document.getElementById('app');
if (root) root.textContent = 'DeepSteer';
