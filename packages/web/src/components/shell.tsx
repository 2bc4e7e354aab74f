import type { User } from '@loft/sdk';
import {
  HardDrive,
  Link2,
  LogOut,
  Menu,
  Monitor,
  Moon,
  Send,
  Settings,
  Sun,
  Trash2,
  Users,
} from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { api, session } from '../lib/api.js';
import { navigate, useLocation } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { nextTheme, setTheme, themeChoice } from '../lib/theme.js';
import { toast } from '../lib/toasts.js';
import { Logo } from './logo.js';
import { SearchBox } from './search-box.js';
import { TransfersPanel } from './transfers-panel.js';
import { UsageBar } from './usage-bar.js';

function ThemeToggle() {
  const choice = useStore(themeChoice);
  const Icon = choice === 'system' ? Monitor : choice === 'dark' ? Moon : Sun;
  const label = `Theme: ${choice === 'system' ? 'system' : choice}. Switch to ${nextTheme(choice)}`;
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      title={label}
      onClick={() => setTheme(nextTheme(choice))}
    >
      <Icon size={20} />
    </button>
  );
}

export async function signOut(): Promise<void> {
  try {
    await api.POST('/api/auth/logout');
  } finally {
    session.set(null);
    navigate('/signin');
    toast('You are signed out.');
  }
}

function NavLink(props: { href: string; icon: ReactNode; children: ReactNode; active: boolean }) {
  return (
    <a
      href={props.href}
      className={props.active ? 'nav-link active' : 'nav-link'}
      aria-current={props.active ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.icon}
      {props.children}
    </a>
  );
}

export function Shell(props: { user: User; children: ReactNode }) {
  const { pathname } = useLocation();
  const [drawer, setDrawer] = useState(false);
  useEffect(() => setDrawer(false), [pathname]);
  return (
    <div className="shell">
      <header className="topbar">
        <button
          type="button"
          className="icon-button only-narrow"
          aria-label="Open navigation"
          aria-expanded={drawer}
          onClick={() => setDrawer(!drawer)}
        >
          <Menu size={20} />
        </button>
        <a
          href="/files"
          className="brand"
          aria-label="Loft home"
          onClick={(e) => {
            e.preventDefault();
            navigate('/files');
          }}
        >
          <Logo />
          <span className="only-wide">Loft</span>
        </a>
        <SearchBox />
        <ThemeToggle />
        <a
          href="/settings"
          className="user-chip only-wide"
          title={`Settings · ${props.user.email}`}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            navigate('/settings');
          }}
        >
          <span className="avatar" aria-hidden="true">
            {props.user.username.slice(0, 1).toUpperCase()}
          </span>
          <span>{props.user.username}</span>
          <span className="sr-only">(settings)</span>
        </a>
        <button
          type="button"
          className="icon-button"
          aria-label="Sign out"
          title="Sign out"
          onClick={() => void signOut()}
        >
          <LogOut size={20} />
        </button>
      </header>
      <div className="body">
        <nav className={drawer ? 'sidebar open' : 'sidebar'} aria-label="Main">
          <NavLink
            href="/files"
            icon={<HardDrive size={18} aria-hidden="true" />}
            active={pathname.startsWith('/files')}
          >
            My files
          </NavLink>
          <NavLink
            href="/shared"
            icon={<Users size={18} aria-hidden="true" />}
            active={pathname === '/shared' || pathname.startsWith('/shared/')}
          >
            Shared with me
          </NavLink>
          <NavLink href="/sends" icon={<Send size={18} aria-hidden="true" />} active={pathname === '/sends'}>
            Sends
          </NavLink>
          <NavLink href="/links" icon={<Link2 size={18} aria-hidden="true" />} active={pathname === '/links'}>
            Public links
          </NavLink>
          <NavLink
            href="/trash"
            icon={<Trash2 size={18} aria-hidden="true" />}
            active={pathname === '/trash'}
          >
            Trash
          </NavLink>
          <NavLink
            href="/settings"
            icon={<Settings size={18} aria-hidden="true" />}
            active={pathname === '/settings'}
          >
            Settings
          </NavLink>
          <div className="grow" />
          <UsageBar user={props.user} />
        </nav>
        {drawer && <div className="scrim only-narrow" onClick={() => setDrawer(false)} aria-hidden="true" />}
        <main className="main">{props.children}</main>
      </div>
      <TransfersPanel />
    </div>
  );
}
