import { useEffect, useRef, type ReactNode } from 'react';

export interface MenuItem {
  label: string;
  icon?: ReactNode;
  danger?: boolean;
  run: () => void;
}

/** A small popup menu at a point; arrow keys move, Escape or a click elsewhere closes it. */
export function Menu(props: { x: number; y: number; label: string; items: MenuItem[]; onClose: () => void }) {
  const ref = useRef<HTMLUListElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLButtonElement>('button');
    first?.focus();
    const away = (e: Event) => {
      if (!ref.current?.contains(e.target as globalThis.Node)) props.onClose();
    };
    document.addEventListener('pointerdown', away, true);
    window.addEventListener('resize', props.onClose);
    return () => {
      document.removeEventListener('pointerdown', away, true);
      window.removeEventListener('resize', props.onClose);
    };
  }, [props.onClose]);

  // Keep the menu inside the window, also on a 360 px phone.
  const width = 220;
  const height = props.items.length * 40 + 12;
  const left = Math.max(8, Math.min(props.x, window.innerWidth - width - 8));
  const top = props.y + height > window.innerHeight - 8 ? Math.max(8, props.y - height) : props.y;

  return (
    <ul
      ref={ref}
      className="menu"
      role="menu"
      aria-label={props.label}
      style={{ left, top, width }}
      onKeyDown={(e) => {
        const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
        const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (e.key === 'Escape') {
          e.stopPropagation();
          props.onClose();
        } else if (e.key === 'ArrowDown') {
          e.preventDefault();
          buttons[(i + 1) % buttons.length]?.focus();
        } else if (e.key === 'ArrowUp') {
          e.preventDefault();
          buttons[(i - 1 + buttons.length) % buttons.length]?.focus();
        }
      }}
    >
      {props.items.map((item) => (
        <li key={item.label} role="none">
          <button
            type="button"
            role="menuitem"
            className={item.danger ? 'menu-item danger' : 'menu-item'}
            onClick={() => {
              props.onClose();
              item.run();
            }}
          >
            {item.icon}
            {item.label}
          </button>
        </li>
      ))}
    </ul>
  );
}
