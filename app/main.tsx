// Entry: start the controller (URL, storage, engine), then render.
import { createRoot } from 'react-dom/client';
import { config as zodConfig } from 'zod';
import { App } from './App';
import { LabContext } from './components/context';
import { startLab } from './lab';
import { registerServiceWorker } from './sw/register';
import './styles.css';

// No runtime code generation: zod's JIT would trip the Content-Security-Policy (no eval).
zodConfig({ jitless: true });

// Offline after the first visit (production builds only).
registerServiceWorker();

const root = createRoot(document.getElementById('root') as HTMLElement);
startLab().then(
  (lab) =>
    root.render(
      <LabContext.Provider value={lab}>
        <App />
      </LabContext.Provider>,
    ),
  (e: unknown) => {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = `The lab could not start: ${e instanceof Error ? e.message : String(e)}`;
    document.getElementById('root')?.replaceChildren(p);
  },
);
