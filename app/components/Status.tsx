// Device state (adapter and limits, or what to do without WebGPU) and banners.
import { useLab, useLabState } from './context';

const MB = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

export function Device() {
  const gpu = useLabState((s) => s.gpu);
  if (gpu.state === 'unknown')
    return (
      <p className="device" role="status">
        Looking for a GPU…
      </p>
    );
  if (gpu.state === 'none') return null;
  const a = gpu.adapter;
  return (
    <details className="device">
      <summary>
        GPU: {a.description || [a.vendor, a.architecture].filter(Boolean).join(' ') || 'WebGPU adapter'}
        {gpu.mode === 'main' ? ' (main thread)' : ''}
      </summary>
      <dl>
        <dt>vendor</dt>
        <dd>{a.vendor || '—'}</dd>
        <dt>architecture</dt>
        <dd>{a.architecture || '—'}</dd>
        <dt>largest storage binding</dt>
        <dd>{MB(a.limits.maxStorageBufferBindingSize)}</dd>
        <dt>largest buffer</dt>
        <dd>{MB(a.limits.maxBufferSize)}</dd>
        <dt>workgroup storage</dt>
        <dd>{a.limits.maxComputeWorkgroupStorageSize.toLocaleString()} bytes</dd>
      </dl>
      <p className="help">A config whose buffers exceed these limits is refused before it starts, naming the limit.</p>
    </details>
  );
}

/**
 * No WebGPU: what to do, in a student's words, once, and short, so a shared
 * link's plot stays on the first screen; the browser's own reason and the
 * details for whoever sets machines up are folded away. A reason the lab
 * wrote for people (a plain-http page on the classroom network) is shown.
 */
export function NoGpu() {
  const gpu = useLabState((s) => s.gpu);
  if (gpu.state !== 'none') return null;
  const forPeople = /plain http/.test(gpu.reason);
  return (
    <section className="panel nogpu" role="alert" aria-labelledby="nogpu-h">
      <h2 id="nogpu-h">This browser cannot train here: WebGPU is not available</h2>
      <p>
        {forPeople
          ? gpu.reason
          : 'To train models, open this page in Chrome or Edge on a laptop or desktop computer. ' +
            'Here you can still read the presets and look at results shared with you.'}
      </p>
      <details>
        <summary>Details for whoever sets up the computers</summary>
        <ul>
          {/* A reason written for people is the paragraph above already: said once. */}
          {!forPeople && <li>The browser said: {gpu.reason}</li>}
          <li>
            Chrome or Edge, version 113 or later, on Windows, macOS or ChromeOS: the lab is tested in Chromium. Safari
            26 or later (macOS, iPadOS) and Firefox 141 or later (Windows) have WebGPU too, but are untested.
          </li>
          <li>
            Open <code>chrome://gpu</code> and check that “WebGPU” says “Hardware accelerated”; if it is disabled,
            enable it at <code>chrome://flags/#enable-unsafe-webgpu</code> and restart.
          </li>
          <li>
            On Linux, Chrome may also need <code>chrome://flags/#enable-vulkan</code>.
          </li>
        </ul>
      </details>
    </section>
  );
}

export function Banners() {
  const { store } = useLab();
  const banners = useLabState((s) => s.banners);
  return (
    <div className="banners">
      {banners.map((b) => (
        <div
          key={b.id}
          className={`banner banner-${b.kind}`}
          role={b.kind === 'error' || b.kind === 'warning' ? 'alert' : 'status'}
          data-testid={`banner-${b.kind}`}
        >
          <strong>{b.title}</strong>
          {b.lines.length > 0 && (
            <ul>
              {b.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          )}
          <button
            type="button"
            className="dismiss"
            aria-label="Dismiss this message"
            onClick={() => store.getState().dismissBanner(b.id)}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
