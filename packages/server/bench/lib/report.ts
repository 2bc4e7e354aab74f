/** Bytes per megabyte in every figure: MB = 10^6 bytes, as dd and most disk tools report. */
export const MB = 1e6;

/** Nearest-rank percentile of samples (p in 0..100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: number[]) => percentile(samples, 50);

export interface Target {
  /** Human form, e.g. "≥ 0.90 × dd" or "< 20 ms". */
  text: string;
  pass: boolean;
}

export interface Row {
  id: string;
  /** A heading printed above this row. */
  section?: string;
  label: string;
  value: number | null;
  unit: string;
  decimals: number;
  baseline?: { label: string; value: number | null; unit: string; decimals: number };
  ratio?: number | null;
  target?: Target;
  /** Extra figures: every run of a best-of, latencies. */
  note?: string;
}

export function fmt(value: number | null | undefined, decimals: number, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const s = value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return unit ? `${s} ${unit}` : s;
}

/** A plain-text table; the first column is left-aligned, the figures right-aligned. */
export function table(rows: Row[]): string {
  const header = ['Measurement', 'Value', 'Baseline', 'Ratio', 'Target', 'Result', 'Notes'];
  const cells = rows.map((r) => [
    r.label,
    fmt(r.value, r.decimals, r.unit),
    r.baseline ? `${fmt(r.baseline.value, r.baseline.decimals, r.baseline.unit)} (${r.baseline.label})` : '',
    r.ratio === undefined ? '' : r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)} ×`,
    r.target?.text ?? '',
    r.target ? (r.target.pass ? 'PASS' : 'FAIL') : '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === 0 || i >= 4 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [line(header), rule];
  rows.forEach((r, i) => {
    if (r.section) out.push(r.section);
    out.push(line(cells[i]!));
  });
  return out.join('\n');
}
