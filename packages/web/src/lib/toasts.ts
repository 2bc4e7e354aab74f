import { Store } from './store.js';

export interface Toast {
  id: number;
  message: string;
  tone: 'info' | 'error' | 'success';
  action?: { label: string; run: () => void };
}

export const toasts = new Store<Toast[]>([]);
let seq = 0;

export function toast(
  message: string,
  opts: Partial<Omit<Toast, 'id' | 'message'>> & { ms?: number } = {},
): void {
  const id = ++seq;
  const t: Toast = {
    id,
    message,
    tone: opts.tone ?? 'info',
    ...(opts.action ? { action: opts.action } : {}),
  };
  toasts.set((list) => [...list.slice(-3), t]);
  setTimeout(() => dismiss(id), opts.ms ?? (opts.action ? 8000 : 5000));
}

export function dismiss(id: number): void {
  toasts.set((list) => list.filter((t) => t.id !== id));
}
