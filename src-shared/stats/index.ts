export { mean, variance, sampleStd, populationStd, summarize, type NumericArray, type Summary } from './describe';
export { lnGamma, lnBeta, regularizedIncompleteBeta } from './special';
export { studentTPdf, studentTCdf, studentTSf, studentTTwoSidedP, studentTQuantile } from './student-t';
export { welchTTest, pairedTTest, significanceMark, type TTestResult } from './ttest';
