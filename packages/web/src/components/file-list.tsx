import type { Node, SortKey } from '@loft/sdk';
import { ArrowDown, ArrowUp, MoreVertical } from 'lucide-react';
import {
  forwardRef,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { formatBytes, formatDate, formatFullDate } from '../lib/format.js';
import { FileIcon } from './file-icon.js';

const ROW = { wide: 48, narrow: 56 };
const NARROW = '(max-width: 760px)';
const OVERSCAN = 12;
/** Rows beyond the view that are fetched ahead, so scrolling rarely meets a placeholder. */
const PREFETCH = 400;

export interface FileListHandle {
  scrollToIndex(i: number): void;
  focus(): void;
}

interface Props {
  label: string;
  items: Node[];
  total: number;
  selected: Set<string>;
  focusIndex: number;
  sort: SortKey;
  order: 'asc' | 'desc';
  hrefOf: (n: Node) => string | null;
  onSort: (key: SortKey) => void;
  onRowClick: (index: number, e: MouseEvent) => void;
  onToggle: (index: number) => void;
  onOpen: (n: Node) => void;
  onMenu: (index: number, x: number, y: number) => void;
  onKeyDown: (e: KeyboardEvent) => void;
  onWant: (upTo: number) => void;
}

/**
 * A virtualized grid: only the rows in view (plus a margin) exist in the DOM, so a folder of
 * 100,000 entries scrolls like one of ten. Rows not loaded yet show as placeholders.
 */
export const FileList = forwardRef<FileListHandle, Props>(function FileList(p, ref) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  // Phones get taller two-line rows; the row height must match the CSS for the maths below.
  const [narrow, setNarrow] = useState(() => matchMedia(NARROW).matches);
  useEffect(() => {
    const mq = matchMedia(NARROW);
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const ROW_HEIGHT = narrow ? ROW.narrow : ROW.wide;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useImperativeHandle(ref, () => ({
    scrollToIndex(i: number) {
      const el = scroller.current;
      if (!el) return;
      const top = i * ROW_HEIGHT;
      const bodyHeight = el.clientHeight - ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + bodyHeight) el.scrollTop = top + ROW_HEIGHT - bodyHeight;
    },
    focus() {
      scroller.current?.focus();
    },
  }));

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const { onWant } = p;
  useEffect(() => onWant(last + PREFETCH), [last, onWant]);

  const rows = [];
  for (let i = first; i < last; i++) {
    const n = p.items[i];
    const style = { transform: `translateY(${i * ROW_HEIGHT}px)`, height: ROW_HEIGHT };
    if (!n) {
      rows.push(
        <div key={`ph-${i}`} role="row" aria-rowindex={i + 2} className="file-row placeholder" style={style}>
          <div role="gridcell" className="cell-name">
            <span className="skeleton" />
          </div>
        </div>,
      );
      continue;
    }
    const selected = p.selected.has(n.id);
    const href = p.hrefOf(n);
    rows.push(
      <div
        key={n.id}
        id={`row-${n.id}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected}
        data-name={n.name}
        className={`file-row${selected ? ' selected' : ''}${i === p.focusIndex ? ' focused' : ''}`}
        style={style}
        onClick={(e) => p.onRowClick(i, e)}
        onDoubleClick={() => p.onOpen(n)}
        onContextMenu={(e) => {
          e.preventDefault();
          p.onMenu(i, e.clientX, e.clientY);
        }}
      >
        <div role="gridcell" className="cell-check">
          <input
            type="checkbox"
            checked={selected}
            aria-label={`Select ${n.name}`}
            tabIndex={-1}
            onClick={(e) => e.stopPropagation()}
            onChange={() => p.onToggle(i)}
          />
        </div>
        <div role="gridcell" className="cell-name">
          <FileIcon name={n.name} kind={n.kind} contentType={n.contentType} />
          <div className="name-wrap">
            {href ? (
              <a
                href={href}
                className="name"
                tabIndex={-1}
                onClick={(e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  e.stopPropagation();
                  p.onOpen(n);
                }}
              >
                {n.name}
              </a>
            ) : (
              <span className="name">{n.name}</span>
            )}
            <span className="sub only-narrow muted small">
              {n.kind === 'file' ? `${formatBytes(n.size)} · ` : ''}
              {formatDate(n.modifiedAt)}
            </span>
          </div>
        </div>
        <div role="gridcell" className="cell-size only-wide muted">
          {n.kind === 'file' ? formatBytes(n.size) : '—'}
        </div>
        <div role="gridcell" className="cell-date only-wide muted" title={formatFullDate(n.modifiedAt)}>
          {formatDate(n.modifiedAt)}
        </div>
        <div role="gridcell" className="cell-more">
          <button
            type="button"
            className="icon-button"
            tabIndex={-1}
            aria-label={`Actions for ${n.name}`}
            onClick={(e) => {
              e.stopPropagation();
              const r = e.currentTarget.getBoundingClientRect();
              p.onMenu(i, r.left, r.bottom);
            }}
          >
            <MoreVertical size={18} />
          </button>
        </div>
      </div>,
    );
  }

  const header = (key: SortKey, label: string, className: string) => {
    const active = p.sort === key;
    return (
      <div
        role="columnheader"
        className={className}
        aria-sort={active ? (p.order === 'asc' ? 'ascending' : 'descending') : 'none'}
      >
        <button type="button" className="sort" onClick={() => p.onSort(key)}>
          {label}
          {active &&
            (p.order === 'asc' ? (
              <ArrowUp size={14} aria-hidden="true" />
            ) : (
              <ArrowDown size={14} aria-hidden="true" />
            ))}
        </button>
      </div>
    );
  };

  const focused = p.items[p.focusIndex];
  return (
    <div
      ref={scroller}
      className="file-list"
      role="grid"
      aria-label={p.label}
      aria-rowcount={p.total + 1}
      aria-multiselectable="true"
      aria-activedescendant={focused ? `row-${focused.id}` : undefined}
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={p.onKeyDown}
    >
      <div role="row" aria-rowindex={1} className="file-row head">
        <div role="columnheader" className="cell-check" aria-label="Selection" />
        {header('name', 'Name', 'cell-name')}
        {header('size', 'Size', 'cell-size only-wide')}
        {header('modified', 'Modified', 'cell-date only-wide')}
        <div role="columnheader" className="cell-more" aria-label="Actions" />
      </div>
      <div className="file-rows" role="rowgroup" style={{ height: p.total * ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
});
