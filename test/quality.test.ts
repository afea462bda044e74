import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assessQuality } from '../main/core/assess/quality.js';
import { compositeScore, rankTiers, scoreParts, scoreResults } from '../main/core/assess/score.js';
import type { ModelResult } from '../main/core/report.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/answers/${name}`, import.meta.url), 'utf8');
const sound = fixture('sound.md');
const loop = fixture('repetition.md');
// The same sound answer, cut off by the token budget halfway through.
const truncated = sound.slice(0, Math.floor(sound.length / 2));

describe('quality proxy', () => {
  it('rates a sound, complete answer highly and explains why', () => {
    const { quality, parts } = assessQuality(sound, 'stop');
    expect(parts.coverage).toBe(1);
    expect(parts.codeBlock).toBe(1);
    expect(parts.structure).toBe(1);
    expect(parts.degenerationFactor).toBe(1);
    expect(parts.truncationFactor).toBe(1);
    expect(quality).toBeGreaterThan(0.9);
  });

  it('gives an empty answer zero', () => {
    expect(assessQuality('', 'stop').quality).toBe(0);
    expect(assessQuality('   \n\n ', 'stop').quality).toBe(0);
  });

  it('crushes a repetition loop', () => {
    const { quality, parts } = assessQuality(loop, 'length');
    expect(parts.repeatedNgramShare).toBeGreaterThan(0.8);
    expect(parts.degenerationFactor).toBe(0.1);
    expect(quality).toBeLessThan(0.05);
  });

  it('charges an answer cut off by the token budget', () => {
    const whole = assessQuality(sound, 'stop');
    const cut = assessQuality(truncated, 'length');
    expect(cut.parts.truncated).toBe(true);
    expect(cut.parts.truncationFactor).toBe(0.6);
    expect(cut.quality).toBeLessThan(whole.quality * 0.6 + 1e-9);
  });

  it('is deterministic', () => {
    expect(assessQuality(sound, 'stop')).toEqual(assessQuality(sound, 'stop'));
  });
});

function measured(model: string, tokensPerSec: number, quality: number): ModelResult {
  return {
    host: 'http://127.0.0.1:11434',
    model,
    digest: 'd',
    status: 'ok',
    reason: null,
    sizeBytes: 2.5e9,
    memoryBytes: 3e9,
    tier: 'small',
    parameterCount: 3e9,
    quantization: 'Q4_K_M',
    loadMs: 100,
    ttftMs: 50,
    tokensPerSec,
    totalTokens: 300,
    wallMs: 3000,
    quality,
    score: null,
    flags: [],
    notes: [],
    measurement: null,
  };
}

describe('score', () => {
  it('is 100 for the fastest model with a perfect answer', () => {
    expect(compositeScore(scoreParts(1, 80, 80))).toBe(100);
    expect(compositeScore(scoreParts(0.5, 40, 80))).toBe(35);
  });

  it('never lets a degenerate answer beat a sound one at half the speed', () => {
    const soundQuality = assessQuality(sound, 'stop').quality;
    for (const [label, answer, reason] of [
      ['loop', loop, 'length'],
      ['empty', '', 'stop'],
      ['cut off', truncated, 'length'],
    ] as const) {
      const degenerate = assessQuality(answer, reason).quality;
      const results = scoreResults([measured(`fast-${label}`, 100, degenerate), measured('sound', 50, soundQuality)]);
      const [summary] = rankTiers(results).filter((tier) => tier.tier === 'small');
      expect(summary?.recommended?.model, label).toBe('sound');
    }
  });

  it('ranks every tier, in order, and leaves failed models unscored', () => {
    const failed: ModelResult = { ...measured('broken', 0, 0), status: 'failed', reason: 'boom', tokensPerSec: null, quality: null };
    const tiers = rankTiers(scoreResults([measured('a', 10, 0.9), failed]));
    expect(tiers.map((tier) => tier.tier)).toEqual(['tiny', 'small', 'medium', 'large', 'xl']);
    expect(tiers[1]?.ranked.map((entry) => entry.model)).toEqual(['a']);
    expect(tiers[0]?.recommended).toBeNull();
  });
});
