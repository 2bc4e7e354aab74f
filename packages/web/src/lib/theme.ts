import { Store } from './store.js';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'loft-theme';

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const media = matchMedia('(prefers-color-scheme: dark)');
export const themeChoice = new Store<ThemeChoice>(stored());

export function effectiveTheme(choice = themeChoice.get()): 'light' | 'dark' {
  return choice === 'system' ? (media.matches ? 'dark' : 'light') : choice;
}

function apply(): void {
  document.documentElement.dataset.theme = effectiveTheme();
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* private mode: still applies for this visit */
  }
  themeChoice.set(choice);
  apply();
}

/** The toggle cycles system → the opposite of what the system shows → the other → system. */
export function nextTheme(choice: ThemeChoice): ThemeChoice {
  const sys = media.matches ? 'dark' : 'light';
  const other = sys === 'dark' ? 'light' : 'dark';
  if (choice === 'system') return other;
  if (choice === other) return sys;
  return 'system';
}

media.addEventListener('change', apply);
apply();
