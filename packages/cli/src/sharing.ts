import { unwrap } from '@loft/sdk';
import QRCode from 'qrcode';
import { withSession, type Globals } from './commands.js';
import { UsageError } from './errors.js';
import { formatDate, table } from './format.js';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const outJson = (v: unknown) => out(JSON.stringify(v, null, 2));

/** `loft share PATH USER --role viewer|editor`; with --remove, ends that user's access. */
export async function share(
  path: string,
  user: string | undefined,
  o: { role?: string; remove?: boolean; json?: boolean },
  g: Globals,
) {
  const role = o.role ?? 'viewer';
  if (role !== 'viewer' && role !== 'editor') throw new UsageError('--role must be viewer or editor');
  await withSession(g, async (s) => {
    const node = await s.resolve(path);
    const id = node.id;
    if (!user) {
      // No user: list who has access.
      const { items } = await unwrap(s.api.GET('/api/nodes/{id}/shares', { params: { path: { id } } }));
      if (o.json) return outJson(items);
      if (!items.length) return out(`${node.path} is not shared with anyone`);
      return out(table(items.map((i) => [i.user.username, i.role, formatDate(i.createdAt)])));
    }
    if (o.remove) {
      const { items } = await unwrap(s.api.GET('/api/nodes/{id}/shares', { params: { path: { id } } }));
      const who = user.toLowerCase();
      const found = items.find((i) => i.user.username.toLowerCase() === who);
      if (!found) throw new UsageError(`${node.path} is not shared with ${user}`);
      await unwrap(s.api.DELETE('/api/shares/{id}', { params: { path: { id: found.id } } }));
      return out(`stopped sharing ${node.path} with ${found.user.username}`);
    }
    const r = await unwrap(
      s.api.POST('/api/nodes/{id}/shares', { params: { path: { id } }, body: { user, role } }),
    );
    if (o.json) return outJson(r);
    out(`shared ${node.path} with ${r.user.username} as ${r.role}`);
  });
}

/** "7d", "12h", "30m" from now, or a date ("2026-12-31", end of that day, local time). */
export function parseExpiry(v: string, now = Date.now()): number {
  const rel = /^(\d+)\s*([mhdw])$/i.exec(v.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2]!.toLowerCase() as 'm'];
    return now + Number(rel[1]) * unit;
  }
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? new Date(`${v.trim()}T23:59:59`) : new Date(v);
  if (Number.isNaN(day.getTime()))
    throw new UsageError(`--expires: "${v}" is not a date (2026-12-31) or a duration (7d, 12h)`);
  return day.getTime();
}

/** `loft link PATH [--password P] [--expires 7d] [--max-downloads N]`: prints the URL and a QR code. */
export async function link(
  path: string,
  o: {
    password?: string;
    expires?: string;
    maxDownloads?: string;
    uploadOnly?: boolean;
    qr?: boolean;
    json?: boolean;
  },
  g: Globals,
) {
  const max = o.maxDownloads === undefined ? undefined : Number(o.maxDownloads);
  if (max !== undefined && (!Number.isInteger(max) || max < 1))
    throw new UsageError('--max-downloads must be a whole number, 1 or more');
  const expiresAt = o.expires === undefined ? undefined : parseExpiry(o.expires);
  await withSession(g, async (s) => {
    const node = await s.resolve(path);
    const l = await unwrap(
      s.api.POST('/api/nodes/{id}/links', {
        params: { path: { id: node.id } },
        body: {
          ...(o.password ? { password: o.password } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(max !== undefined ? { maxDownloads: max } : {}),
          ...(o.uploadOnly ? { uploadOnly: true } : {}),
        },
      }),
    );
    if (o.json) return outJson(l);
    out(l.url);
    const facts = [
      l.hasPassword ? 'password' : null,
      l.expiresAt ? `expires ${formatDate(l.expiresAt)}` : null,
      l.maxDownloads ? `${l.maxDownloads} downloads` : null,
      l.uploadOnly ? 'upload only' : null,
    ].filter(Boolean);
    if (facts.length) out(facts.join(' · '));
    // The QR code only on a terminal: in a pipe the URL alone is what scripts want.
    if (o.qr ?? process.stdout.isTTY) out(await QRCode.toString(l.url, { type: 'terminal', small: true }));
  });
}
