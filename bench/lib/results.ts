import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One figure of the table: a median (or a count) and, when it has one, its baseline and budget measured alongside. */
export interface Figure {
  section: string;
  measure: string;
  value: number;
  unit: string;
  /** Every measured run, for whoever wants more than the median. */
  samples?: number[];
  baseline?: { name: string; value: number };
  /** How the value compares to the baseline or the limit, e.g. `1.07× floor`, `1.9× node -e 0`. */
  ratio?: string;
  budget?: string;
  /** Undefined when the figure has no budget. */
  met?: boolean;
  note?: string;
  /** Section 1's throughputs: the size (bytes) and which of add / hashing floor / upload floor (for the chart). */
  size?: number;
  series?: string;
  /** Latency percentiles (ms) under load, by name (`p50`, `server p99`…), for the chart. */
  percentiles?: Record<string, number>;
  /** A command's start-up broken down (median ms per phase, CHAINLOOP_PHASE_TIMINGS), for the chart. */
  phases?: Record<string, number>;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  openssl: string;
  loadAverageAtStart: number[];
}

export function describeMachine(opensslVersion: string, loadAverage: number[]): MachineInfo {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    openssl: opensslVersion,
    loadAverageAtStart: loadAverage.map((l) => Math.round(l * 100) / 100),
  };
}

export class BenchResults {
  readonly figures: Figure[] = [];

  add(figure: Figure): Figure {
    this.figures.push(figure);
    // Sections run in the order that disturbs them least; they are reported in their own order.
    this.figures.sort((a, b) => Number.parseInt(a.section, 10) - Number.parseInt(b.section, 10));
    return figure;
  }

  budgetsMet(): boolean {
    return this.figures.every((f) => f.met !== false);
  }

  write(path: string, meta: { machine: MachineInfo; options: unknown; startedAt: string; seconds: number }): void {
    writeFileSync(
      path,
      `${JSON.stringify({ ...meta, budgetsMet: this.budgetsMet(), figures: this.figures }, null, 2)}\n`,
    );
  }

  /** The table the bench prints (and the README carries). */
  table(): string {
    const header = ['section', 'measure', 'figure', 'baseline (same run)', 'ratio', 'budget', 'met'];
    const rows = this.figures.map((f) => [
      f.section,
      f.measure,
      `${formatValue(f.value)} ${f.unit}`,
      f.baseline ? `${f.baseline.name}: ${formatValue(f.baseline.value)} ${f.unit}` : '',
      f.ratio ?? '',
      f.budget ?? '',
      f.met === undefined ? '' : f.met ? 'yes' : 'NO',
    ]);
    return markdownTable(header, rows);
  }
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
