// Memory tiers, by the bytes a model occupies when loaded (decimal GB, as `ollama list` prints).
import type { Tier } from '../report.js';

const GB = 1e9;

export const TIER_LABELS: Record<Tier, string> = {
  tiny: 'Tiny (<2 GB)',
  small: 'Small (2-4 GB)',
  medium: 'Medium (4-8 GB)',
  large: 'Large (8-16 GB)',
  xl: 'XL (16+ GB)',
};

export function tierOf(bytes: number): Tier {
  if (bytes < 2 * GB) return 'tiny';
  if (bytes < 4 * GB) return 'small';
  if (bytes < 8 * GB) return 'medium';
  if (bytes < 16 * GB) return 'large';
  return 'xl';
}
