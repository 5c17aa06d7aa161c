import { useCallback, useEffect, useRef, useState } from 'react';

export type AsyncState<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: unknown; data?: T };

/**
 * Loads data for a page and reloads it on demand (after a create or delete). Answers of superseded
 * loads are dropped, so a slow first answer never overwrites a newer one.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ status: 'loading', data: s.data }));
    load().then(
      (data) => {
        if (seq.current === mine) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (seq.current === mine) setState((s) => ({ status: 'error', error, data: s.data }));
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [state, reload];
}
