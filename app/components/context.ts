// The lab controller and its store, for components.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { Lab } from '../lab';
import type { LabState } from '../store';

export const LabContext = createContext<Lab | null>(null);

export function useLab(): Lab {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('LabContext missing');
  return lab;
}

export function useLabState<T>(selector: (s: LabState) => T): T {
  return useStore(useLab().store, selector);
}
