export { roundHalfEven, clip } from './rounding';
export { accuracy, f1Weighted, argmax2 } from './classification';
export {
  meanAbsoluteError,
  pearson,
  roundedClassAccuracy,
  regressionMetrics,
  type RegressionMetrics,
} from './regression';
export { emotionMetrics, binaryHeadMetrics, type EmotionMetrics, type BinaryScore, type Matrix } from './emotion';
export { averageOverMissing, averageMetricsOverMissing, type ByCondition } from './average';
