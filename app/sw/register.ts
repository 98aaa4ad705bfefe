// Registers the service worker (app/sw/sw.ts, built to sw.js beside
// index.html) in a production build only: `npm start`'s dev server serves
// source files, which no cache should hold. Where service workers are
// unavailable (an insecure http address, a private window that forbids
// them) the lab works as before, online only.
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // Relative to the page: the lab's own folder, wherever it is served. 'none': sw.js is always revalidated.
  const register = () =>
    navigator.serviceWorker
      .register('./sw.js', { updateViaCache: 'none' })
      .catch((e: unknown) => console.warn('lab: no offline copy (the service worker did not register):', e));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
