import type { NodeRow } from '../db/nodes-repo.js';

export interface NodeView {
  id: string;
  parentId: string | null;
  name: string;
  kind: 'folder' | 'file';
  size: number;
  contentType: string | null;
  /** SHA-256 of the current content: the download ETag. */
  sha256: string | null;
  createdAt: number;
  modifiedAt: number;
}

export const toNodeView = (n: NodeRow): NodeView => ({
  id: n.id,
  parentId: n.parent_id,
  name: n.name,
  kind: n.kind,
  size: Number(n.size),
  contentType: n.content_type,
  sha256: n.sha256,
  createdAt: Number(n.created_at),
  modifiedAt: Number(n.modified_at),
});
