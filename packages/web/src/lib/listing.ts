import type { Node, SortKey } from '@loft/sdk';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, call, humanError } from './api.js';

const FIRST_PAGE = 200;
const NEXT_PAGE = 1000;

export interface Listing {
  items: Node[];
  /** Children in the folder; rows past items.length are placeholders until their page arrives. */
  total: number;
  loading: boolean;
  error: string | null;
  /** Asks for rows up to index (exclusive) to be loaded, page after page. */
  want(upTo: number): void;
  reload(): void;
  /** Local edits after a rename or a delete, so a 100,000-row listing is not fetched again. */
  replace(node: Node): void;
  remove(ids: Set<string>): void;
}

/**
 * A folder's children, loaded page by page with the keyset cursor. The first page is small so a
 * huge folder shows at once; later pages are big and fetched only as far as the view needs.
 */
export function useListing(folderId: string | null, sort: SortKey, order: 'asc' | 'desc'): Listing {
  const [items, setItems] = useState<Node[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  // running: the generation whose page loop is active, so a stale loop finishing never frees a new one.
  const state = useRef({ gen: 0, cursor: null as string | null, wanted: 0, running: -1, loaded: 0 });

  const pump = useCallback(
    async (gen: number) => {
      const s = state.current;
      if (s.running === gen || !folderId) return;
      s.running = gen;
      try {
        while (s.gen === gen && s.cursor && s.loaded < s.wanted) {
          const page = await call(
            api.GET('/api/nodes/{id}/children', {
              params: { path: { id: folderId }, query: { sort, order, limit: NEXT_PAGE, cursor: s.cursor } },
            }),
          );
          if (s.gen !== gen) return;
          s.cursor = page.nextCursor;
          s.loaded += page.items.length;
          setItems((prev) => prev.concat(page.items));
          if (!page.nextCursor) setTotal(s.loaded);
        }
      } catch (e) {
        if (s.gen === gen) setError(humanError(e));
      } finally {
        if (s.running === gen) s.running = -1;
      }
    },
    [folderId, sort, order],
  );

  useEffect(() => {
    if (!folderId) return;
    const s = state.current;
    const gen = ++s.gen;
    // A reload (after an upload, a move...) keeps what the view had asked for, so rows already on
    // screen are fetched again rather than left as placeholders until the next scroll.
    Object.assign(s, { cursor: null, wanted: Math.max(FIRST_PAGE, s.wanted), running: -1, loaded: 0 });
    setLoading(true);
    setError(null);
    call(
      api.GET('/api/nodes/{id}/children', {
        params: { path: { id: folderId }, query: { sort, order, limit: FIRST_PAGE, total: true } },
      }),
    )
      .then((page) => {
        if (s.gen !== gen) return;
        s.cursor = page.nextCursor;
        s.loaded = page.items.length;
        setItems(page.items);
        setTotal(page.total ?? page.items.length);
        setLoading(false);
        void pump(gen);
      })
      .catch((e) => {
        if (s.gen !== gen) return;
        setError(humanError(e));
        setLoading(false);
      });
  }, [folderId, sort, order, generation, pump]);

  const want = useCallback(
    (upTo: number) => {
      const s = state.current;
      if (upTo <= s.wanted) return;
      s.wanted = upTo;
      void pump(s.gen);
    },
    [pump],
  );

  return {
    items,
    total: Math.max(total, items.length),
    loading,
    error,
    want,
    reload: useCallback(() => setGeneration((g) => g + 1), []),
    replace: useCallback(
      (node: Node) => setItems((prev) => prev.map((n) => (n.id === node.id ? node : n))),
      [],
    ),
    remove: useCallback((ids: Set<string>) => {
      const s = state.current;
      setItems((prev) => {
        const next = prev.filter((n) => !ids.has(n.id));
        s.loaded = next.length;
        return next;
      });
      setTotal((t) => Math.max(0, t - ids.size));
    }, []),
  };
}
