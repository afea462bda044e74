// Medians and spreads over the timed runs. A figure is "unstable" when its runs disagree by more
// than UNSTABLE_CV (coefficient of variation): the median is then a weak summary, and it says so.
import type { Spread } from '../report.js';

export const UNSTABLE_CV = 0.1;

/** Linear-interpolated quantile of sorted values, q in 0-1. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number | null {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / Math.abs(mean);
}

export function round(value: number | null, places: number): number | null {
  if (value === null) return null;
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

/**
 * Median, IQR and CV of the values that exist; nulls (a figure a run could not give) are left out.
 * `noiseFloor` is a spread too small to matter in the figure's unit (a few ms of TTFT jitter on a
 * 30 ms figure is a large CV and no real instability).
 */
export function spreadOf(values: readonly (number | null)[], places: number, noiseFloor = 0): Spread {
  const present = values.filter((value): value is number => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  const q1 = quantile(present, 0.25);
  const q3 = quantile(present, 0.75);
  const cv = coefficientOfVariation(present);
  return {
    median: round(quantile(present, 0.5), places),
    iqr: q1 === null || q3 === null ? null : round(q3 - q1, places),
    cv: round(cv, 4),
    unstable: cv !== null && cv > UNSTABLE_CV && (q3 ?? 0) - (q1 ?? 0) > noiseFloor,
  };
}
