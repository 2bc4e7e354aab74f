import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const enc = encodeURIComponent;

/** PUT raw bytes into a folder by id, as the web app and the CLI do. */
async function put(c: Client, folderId: string, name: string, body: string) {
  const r = await c.request('PUT', `/api/nodes/${folderId}/files/${enc(name)}`, {
    headers: { 'content-type': 'text/plain' },
    body,
  });
  const text = r.body.toString();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

describe(`sharing with users (${dialect})`, () => {
  let server: TestServer;
  let owner: Client;
  let viewer: Client;
  let editor: Client;
  let stranger: Client;
  let folder: any;
  let file: any;

  beforeAll(async () => {
    server = await startServer();
    owner = await server.user('owner.olga');
    viewer = await server.user('viewer.vic');
    editor = await server.user('editor.eve');
    stranger = await server.user('stranger.sam');
    await owner.upload('/Work/Projects/plan.txt', 'the plan, version one');
    folder = await owner.resolve('/Work/Projects');
    file = await owner.resolve('/Work/Projects/plan.txt');
  });
  afterAll(() => server.close());

  it('shares a folder as viewer and editor; the owner sees who has access', async () => {
    const v = await owner.json(
      'POST',
      `/api/nodes/${folder.id}/shares`,
      { user: 'viewer.vic', role: 'viewer' },
      201,
    );
    expect(v.body).toMatchObject({ nodeId: folder.id, role: 'viewer', user: { username: 'viewer.vic' } });
    // By email, and case does not matter.
    const e = await owner.json(
      'POST',
      `/api/nodes/${folder.id}/shares`,
      { user: 'Editor.Eve@Example.TEST', role: 'editor' },
      201,
    );
    expect(e.body.user.username).toBe('editor.eve');
    const list = await owner.json('GET', `/api/nodes/${folder.id}/shares`, undefined, 200);
    expect(list.body.items.map((s: any) => `${s.user.username}:${s.role}`)).toEqual([
      'viewer.vic:viewer',
      'editor.eve:editor',
    ]);
    // Sharing again is idempotent (200) and may change the role.
    const again = await owner.json(
      'POST',
      `/api/nodes/${folder.id}/shares`,
      { user: 'viewer.vic', role: 'viewer' },
      200,
    );
    expect(again.body.id).toBe(v.body.id);

    const incoming = await viewer.json('GET', '/api/shares/incoming', undefined, 200);
    expect(incoming.body.items).toHaveLength(1);
    expect(incoming.body.items[0]).toMatchObject({
      id: folder.id,
      name: 'Projects',
      share: { role: 'viewer', owner: 'owner.olga' },
    });
    const outgoing = await owner.json('GET', '/api/shares/outgoing', undefined, 200);
    expect(outgoing.body.items.map((i: any) => i.share.with).sort()).toEqual(['editor.eve', 'viewer.vic']);
  });

  it('lets a viewer list and download but not change anything', async () => {
    const page = await viewer.json('GET', `/api/nodes/${folder.id}/children`, undefined, 200);
    expect(page.body.items.map((n: any) => n.name)).toEqual(['plan.txt']);
    const meta = await viewer.json('GET', `/api/nodes/${file.id}`, undefined, 200);
    // Paths start at the shared folder: the owner's folders above it stay private.
    expect(meta.body.path).toBe('/Projects/plan.txt');
    const dl = await viewer.downloadHash(`/api/nodes/${file.id}/content`);
    expect(dl.status).toBe(200);
    expect(dl.sha256).toBe(file.sha256);
    expect((await viewer.downloadHash(`/api/nodes/${folder.id}/zip`)).status).toBe(200);
    expect((await viewer.json('GET', `/api/nodes/${file.id}/versions`)).status).toBe(200);

    const refused = [
      await put(viewer, folder.id, 'intruder.txt', 'no'),
      await viewer.json('POST', `/api/nodes/${folder.id}/folders`, { name: 'Nope' }),
      await viewer.json('PATCH', `/api/nodes/${file.id}`, { name: 'renamed.txt' }),
      await viewer.json('DELETE', `/api/nodes/${file.id}`),
      await viewer.json('POST', `/api/nodes/${folder.id}/shares`, { user: 'stranger.sam', role: 'viewer' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(refused.every((r) => r.body.error.code === 'forbidden')).toBe(true);
    // Paths resolve from the shared folder too, never above it.
    const viaShare = await viewer.json(
      'GET',
      `/api/resolve?path=${enc('/plan.txt')}&from=${folder.id}`,
      undefined,
      200,
    );
    expect(viaShare.body.id).toBe(file.id);
    expect(
      (await viewer.json('GET', `/api/resolve?path=${enc('/../Projects')}&from=${folder.id}`)).status,
    ).toBe(400);
    expect(
      (await stranger.json('GET', `/api/resolve?path=${enc('/plan.txt')}&from=${folder.id}`)).status,
    ).toBe(404);
    // The owner's folder above the share stays invisible.
    expect((await viewer.json('GET', `/api/nodes/${folder.parentId}/children`)).status).toBe(404);
  });

  it('lets an editor upload (into the owner’s quota), rename, move within and trash to the owner’s trash', async () => {
    const ownerBefore = await owner.me();
    const editorBefore = await editor.me();
    const up = await put(editor, folder.id, 'notes.txt', 'twelve bytes');
    expect(up.status).toBe(201);
    expect((await owner.me()).usedBytes).toBe(ownerBefore.usedBytes + 12);
    expect((await editor.me()).usedBytes).toBe(editorBefore.usedBytes);

    const sub = await editor.json('POST', `/api/nodes/${folder.id}/folders`, { name: 'Drafts' }, 201);
    expect((await owner.resolve('/Work/Projects/Drafts')).id).toBe(sub.body.id);
    await editor.json(
      'PATCH',
      `/api/nodes/${up.body.id}`,
      { name: 'meeting notes.txt', parentId: sub.body.id },
      200,
    );
    expect((await owner.resolve('/Work/Projects/Drafts/meeting notes.txt')).id).toBe(up.body.id);

    // Out of the shared tree into the editor's own files: refused, ownership never moves by a move.
    const mine = await editor.json('POST', `/api/nodes/${editor.rootId}/folders`, { name: 'Mine' }, 201);
    const out = await editor.json('PATCH', `/api/nodes/${up.body.id}`, { parentId: mine.body.id });
    expect(out.status).toBe(409);
    expect(out.body.error.code).toBe('cross_owner_move');
    // The shared folder itself stays the owner's to rename or delete.
    const renameRoot = await editor.json('PATCH', `/api/nodes/${folder.id}`, { name: 'Mine now' });
    expect(renameRoot.status).toBe(403);
    expect((await editor.json('DELETE', `/api/nodes/${folder.id}`)).status).toBe(403);

    await editor.json('DELETE', `/api/nodes/${up.body.id}`, undefined, 204);
    const trash = await owner.json('GET', '/api/trash', undefined, 200);
    expect(trash.body.items.map((i: any) => i.name)).toContain('meeting notes.txt');
    expect((await editor.json('GET', '/api/trash', undefined, 200)).body.items).toEqual([]);

    // A copy into the editor's own files is theirs, and counts against their quota.
    const copy = await editor.json('POST', `/api/nodes/${file.id}/copy`, { parentId: mine.body.id }, 201);
    expect(copy.body.name).toBe('plan.txt');
    expect((await editor.me()).usedBytes).toBe(editorBefore.usedBytes + file.size);
  });

  it('covers what the owner adds later, and follows role changes and revocation at once', async () => {
    const later = await owner.upload('/Work/Projects/later.txt', 'added after sharing');
    expect((await viewer.json('GET', `/api/nodes/${later.body.id}`)).status).toBe(200);

    const shares = (await owner.json('GET', `/api/nodes/${folder.id}/shares`, undefined, 200)).body.items;
    const vshare = shares.find((s: any) => s.user.username === 'viewer.vic');
    await owner.json('PATCH', `/api/shares/${vshare.id}`, { role: 'editor' }, 200);
    expect((await put(viewer, folder.id, 'now allowed.txt', 'ok')).status).toBe(201);
    await owner.json('PATCH', `/api/shares/${vshare.id}`, { role: 'viewer' }, 200);
    expect((await put(viewer, folder.id, 'not any more.txt', 'no')).status).toBe(403);

    await owner.json('DELETE', `/api/shares/${vshare.id}`, undefined, 204);
    expect((await viewer.json('GET', `/api/nodes/${later.body.id}`)).status).toBe(404);
    expect((await viewer.json('GET', '/api/shares/incoming', undefined, 200)).body.items).toEqual([]);
    // Re-share for the next test.
    await owner.json('POST', `/api/nodes/${folder.id}/shares`, { user: 'viewer.vic', role: 'viewer' }, 201);
  });

  it('hides a trashed item from every recipient at once, and brings it back on restore', async () => {
    await owner.json('DELETE', `/api/nodes/${folder.id}`, undefined, 204);
    expect((await viewer.json('GET', `/api/nodes/${file.id}`)).status).toBe(404);
    expect((await editor.json('GET', `/api/nodes/${folder.id}/children`)).status).toBe(404);
    expect((await viewer.json('GET', '/api/shares/incoming', undefined, 200)).body.items).toEqual([]);
    await owner.json('POST', `/api/trash/${folder.id}/restore`, undefined, 200);
    expect((await viewer.json('GET', `/api/nodes/${file.id}`)).status).toBe(200);
    expect((await editor.json('GET', '/api/shares/incoming', undefined, 200)).body.items).toHaveLength(1);
  });

  it('lets a recipient drop a share from their view', async () => {
    const share = (await editor.json('GET', '/api/shares/incoming', undefined, 200)).body.items[0].share;
    await editor.json('DELETE', `/api/shares/${share.id}`, undefined, 204);
    expect((await editor.json('GET', `/api/nodes/${folder.id}`)).status).toBe(404);
    const left = (await owner.json('GET', `/api/nodes/${folder.id}/shares`, undefined, 200)).body.items;
    expect(left.map((s: any) => s.user.username)).toEqual(['viewer.vic']);
  });

  it('refuses bad shares with clear errors, and strangers see nothing', async () => {
    const unknown = await owner.json('POST', `/api/nodes/${folder.id}/shares`, {
      user: 'nobody.here',
      role: 'viewer',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields[0]).toMatchObject({ field: 'user', code: 'not_found' });
    const self = await owner.json('POST', `/api/nodes/${folder.id}/shares`, {
      user: 'owner.olga',
      role: 'viewer',
    });
    expect(self.body.error.details.fields[0]).toMatchObject({ field: 'user', code: 'self' });
    const root = await owner.json('POST', `/api/nodes/${owner.rootId}/shares`, {
      user: 'viewer.vic',
      role: 'viewer',
    });
    expect(root.body.error.code).toBe('root_immutable');
    const badRole = await owner.json('POST', `/api/nodes/${folder.id}/shares`, {
      user: 'viewer.vic',
      role: 'admin',
    });
    expect(badRole.status).toBe(400);

    for (const path of [
      `/api/nodes/${folder.id}`,
      `/api/nodes/${folder.id}/children`,
      `/api/nodes/${folder.id}/shares`,
      `/api/nodes/${file.id}/content`,
    ])
      expect((await stranger.json('GET', path)).status, path).toBe(404);
    const shares = (await owner.json('GET', `/api/nodes/${folder.id}/shares`, undefined, 200)).body.items;
    expect((await stranger.json('DELETE', `/api/shares/${shares[0].id}`)).status).toBe(404);
    expect((await stranger.json('PATCH', `/api/shares/${shares[0].id}`, { role: 'editor' })).status).toBe(
      404,
    );
    // A recipient cannot change their own role.
    expect((await viewer.json('PATCH', `/api/shares/${shares[0].id}`, { role: 'editor' })).status).toBe(404);
  });

  it('transfers ownership: the item moves into the new owner’s files and quota', async () => {
    const giver = await server.user('giver.gil');
    const taker = await server.user('taker.tom');
    await giver.upload('/Handover/a.txt', 'aaaa');
    await giver.upload('/Handover/deep/b.txt', 'bbbbbbbb');
    // A second version counts too: usage is every version.
    await giver.upload('/Handover/a.txt', 'aaaaaa');
    await taker.json('POST', `/api/nodes/${taker.rootId}/folders`, { name: 'Handover' }, 201);
    const handover = await giver.resolve('/Handover');
    await giver.json('POST', `/api/nodes/${handover.id}/shares`, { user: 'viewer.vic', role: 'viewer' }, 201);
    // A public link to a file inside the item goes with it.
    const aFile = await giver.resolve('/Handover/a.txt');
    const link = (await giver.json('POST', `/api/nodes/${aFile.id}/links`, {}, 201)).body;
    const [giverBefore, takerBefore] = [await giver.me(), await taker.me()];

    const r = await giver.json('POST', `/api/nodes/${handover.id}/transfer`, { user: 'taker.tom' }, 200);
    expect(r.body.newOwner).toBe('taker.tom');
    // The taker had a "Handover" already: the gift gets a free name at the top of their files.
    expect(r.body.node.name).toBe('Handover (from giver.gil)');
    expect((await giver.me()).usedBytes).toBe(giverBefore.usedBytes - 18);
    expect((await taker.me()).usedBytes).toBe(takerBefore.usedBytes + 18);
    expect((await taker.resolve('/Handover (from giver.gil)/deep/b.txt')).size).toBe(8);
    // The link now belongs to the new owner, and still serves the file.
    const linksOf = async (c: Client) =>
      (await c.json('GET', '/api/links', undefined, 200)).body.items.map((l: any) => l.id);
    expect(await linksOf(taker)).toContain(link.id);
    expect(await linksOf(giver)).not.toContain(link.id);
    expect((await taker.json('GET', `/api/links/${link.id}`, undefined, 200)).body.nodeId).toBe(aFile.id);
    expect((await giver.json('GET', `/api/links/${link.id}`)).status).toBe(404);
    const served = await server.anonymous().request('GET', `/api/public/links/${link.token}/content`);
    expect(served.status).toBe(200);
    expect(served.body.toString()).toBe('aaaaaa');
    // The old owner keeps editor access; the viewer's share now belongs to the new owner.
    expect((await put(giver, handover.id, 'still.txt', 'yes')).status).toBe(201);
    expect((await taker.me()).usedBytes).toBe(takerBefore.usedBytes + 21);
    const shares = (await taker.json('GET', `/api/nodes/${handover.id}/shares`, undefined, 200)).body.items;
    expect(shares.map((s: any) => `${s.user.username}:${s.role}`).sort()).toEqual([
      'giver.gil:editor',
      'viewer.vic:viewer',
    ]);
    expect((await giver.json('GET', `/api/nodes/${handover.id}/shares`)).status).toBe(403);
    expect((await giver.json('DELETE', `/api/nodes/${handover.id}`)).status).toBe(403);

    // Without keeping access, and over the taker's quota: refused, nothing changes.
    const big = await giver.upload('/Big/blob.bin', Buffer.alloc(4096, 1));
    const tiny = await server.user('tiny.tina');
    const bigFolder = await giver.resolve('/Big');
    // owner.olga registered first, so she is the admin.
    await owner.json('PATCH', `/api/admin/users/${tiny.user!.id}`, { quotaBytes: 1000 }, 200);
    const refused = await giver.json('POST', `/api/nodes/${bigFolder.id}/transfer`, { user: 'tiny.tina' });
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect((await giver.resolve('/Big/blob.bin')).id).toBe(big.body.id);
    const gone = await giver.json(
      'POST',
      `/api/nodes/${bigFolder.id}/transfer`,
      { user: 'taker.tom', keepAccess: false },
      200,
    );
    expect((await giver.json('GET', `/api/nodes/${gone.body.node.id}`)).status).toBe(404);
  });
});
