/**
 * Error bars on grouped bars: ECharts has no built-in error bar, so a custom series draws a whisker
 * at each bar's centre. The centre follows ECharts' grouped-bar layout for the gaps set here.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams, CustomSeriesRenderItemReturn } from 'echarts';

export const BAR_GAP = 0.1;
export const CATEGORY_GAP = 0.3;

/** Offset of bar `index` of `count` from its category's centre, as a fraction of the band width. */
export function barOffset(index: number, count: number): number {
  const group = 1 - CATEGORY_GAP;
  const width = group / (count + (count - 1) * BAR_GAP);
  return -group / 2 + index * width * (1 + BAR_GAP) + width / 2;
}

/** Data items are [categoryIndex, low, high]. */
export function whiskers(index: number, count: number) {
  return (params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const x = Number(api.value(0));
    const low = api.coord([x, api.value(1)]);
    const high = api.coord([x, api.value(2)]);
    const band = (api.size?.([1, 0]) as number[] | undefined)?.[0] ?? 20;
    const cx = (low[0] ?? 0) + barOffset(index, count) * band;
    const cap = Math.max(3, band * 0.04);
    const style = { stroke: '#1d2330', lineWidth: 1.2 };
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: cx, y1: low[1] ?? 0, x2: cx, y2: high[1] ?? 0 }, style },
        { type: 'line', shape: { x1: cx - cap, y1: low[1] ?? 0, x2: cx + cap, y2: low[1] ?? 0 }, style },
        { type: 'line', shape: { x1: cx - cap, y1: high[1] ?? 0, x2: cx + cap, y2: high[1] ?? 0 }, style },
      ],
    };
  };
}
