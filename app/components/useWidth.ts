// The width a plot has on the page: plots are drawn at the width of their
// panel (and redrawn when it changes), so on a projector's wide screen with
// large text they fill the column instead of staying 780 px.
import { type RefObject, useEffect, useState } from 'react';

/** The element's content width in CSS pixels, rounded to 20 px steps (fewer redraws), within [min, max]. */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback = 780, min = 360, max = 1800): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const measure = () => {
      const w = Math.floor(el.clientWidth / 20) * 20 - 20;
      if (w > 0) setWidth(Math.max(min, Math.min(max, w)));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, min, max]);
  return width;
}
