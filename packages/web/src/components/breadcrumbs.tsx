import { ChevronRight } from 'lucide-react';
import { navigate } from '../lib/router.js';

export function Breadcrumbs({ crumbs }: { crumbs: { name: string; href: string }[] }) {
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {crumbs.map((c, i) => {
          const last = i === crumbs.length - 1;
          return (
            <li key={c.href}>
              {i > 0 && <ChevronRight size={16} aria-hidden="true" className="muted" />}
              {last ? (
                <span aria-current="page" className="crumb current">
                  {c.name}
                </span>
              ) : (
                <a
                  className="crumb"
                  href={c.href}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(c.href);
                  }}
                >
                  {c.name}
                </a>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
