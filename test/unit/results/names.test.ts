import { describe, expect, it } from 'vitest';
import { REGRESSION_METRICS, clipInterval, conditionName, intervalWarning, metricLabel, metricName, metricRange } from '../../../src-shared/results';

describe('one display name per condition and metric', () => {
  it('conditions as in the paper', () => {
    expect(['l', 'a,v', 'l,a,v', 'avg', '0.3', '1.0', 'p=0.5+l'].map(conditionName)).toEqual(['{l}', '{a,v}', '{l,a,v}', 'Avg.', 'p = 0.3', 'p = 1.0', 'p = 0.5, {l}']);
  });

  it('metrics by name, with the unit they are shown in; never a raw key', () => {
    expect(REGRESSION_METRICS.map(metricLabel)).toEqual(['MAE', 'Corr', 'Acc-7 %', 'Acc-5 %', 'Acc-2 (Has0) %', 'F1 (Has0) %', 'Acc-2 (Non0) %', 'F1 (Non0) %']);
    expect(metricName('Happy.f1')).toBe('Happy F1');
    expect(metricLabel('Happy.f1')).toBe('Happy F1 %');
    for (const m of REGRESSION_METRICS) expect(metricLabel(m)).not.toMatch(/_/);
  });
});

describe('intervals as drawn', () => {
  it('clips to the metric range and says whether it did; the statistics themselves are untouched', () => {
    expect(metricRange('f1_non0')).toEqual([0, 100]);
    expect(metricRange('corr')).toEqual([-1, 1]);
    expect(clipInterval('f1_non0', -312.35, 420.14)).toEqual({ low: 0, high: 100, clipped: true });
    expect(clipInterval('f1_non0', 50, 60)).toEqual({ low: 50, high: 60, clipped: false });
    expect(clipInterval('mae', -0.2, 1.3)).toEqual({ low: 0, high: 1.3, clipped: true });
  });

  it('warns that two seeds give no useful interval (and says nothing where none is shown, or it is fine)', () => {
    expect(intervalWarning(1)).toBeNull();
    expect(intervalWarning(2)).toMatch(/^2 seeds give no useful interval/);
    expect(intervalWarning(3)).toBeNull();
    expect(intervalWarning(5)).toBeNull();
  });
});
