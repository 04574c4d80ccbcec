import type {
  ClassificationLabelReportData,
  DatasetReport,
  DimComparison,
  LabelReportData,
  ModalityReportData,
  RegressionLabelReportData,
  SplitReportData,
} from '../../../../src-shared/models';

/**
 * What the importer found, as plain JSON-serialisable data (no Maps, no typed arrays), so the
 * store can save it with the dataset record and the UI can show it as the dataset inspector.
 */
export type DatasetFormat = 'mult' | 'mmsa' | 'csd';

// The report's types live in src-shared (the UI shows them); the importer uses these names.
export type ModalityReport = ModalityReportData;
export type RegressionLabelReport = RegressionLabelReportData;
export type ClassificationLabelReport = ClassificationLabelReportData;
export type LabelReport = LabelReportData;
export type SplitReport = SplitReportData;
export type DimReport = DimComparison;
export type ImportReport = DatasetReport;
