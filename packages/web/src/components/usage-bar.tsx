import type { User } from '@loft/sdk';
import { formatBytes } from '../lib/format.js';

/** Used of quota; amber from 80 %, red from 95 %, with words, not just a colour. */
export function UsageBar({ user }: { user: User }) {
  const quota = Math.max(user.quotaBytes, 1);
  const ratio = Math.min(user.usedBytes / quota, 1);
  const level = ratio >= 0.95 ? 'full' : ratio >= 0.8 ? 'warn' : 'ok';
  return (
    <div className={`usage level-${level}`}>
      <div
        className="usage-bar"
        role="meter"
        aria-label="Storage used"
        aria-valuemin={0}
        aria-valuemax={user.quotaBytes}
        aria-valuenow={user.usedBytes}
        aria-valuetext={`${formatBytes(user.usedBytes)} of ${formatBytes(user.quotaBytes)}`}
      >
        <div style={{ width: `${Math.max(ratio * 100, ratio > 0 ? 1 : 0)}%` }} />
      </div>
      <div className="small">
        {formatBytes(user.usedBytes)} of {formatBytes(user.quotaBytes)} used
      </div>
      {level !== 'ok' && (
        <div className="small usage-note" role="status">
          {level === 'full' ? 'Your storage is almost full.' : 'You are running low on storage.'}
        </div>
      )}
    </div>
  );
}
