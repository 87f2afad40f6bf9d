/** Public surface of the load engine: one run function, its types, merging and a pure formatter. */
export { runLoad, validateLoadOptions } from './run-load.js';
export { formatLoadResult, formatMicroseconds, formatBytes, summarizeLoadResult } from './format-result.js';
export { mergeLoadResults } from './merge.js';
export { LatencyHistogram, type HistogramData, type LatencySummary } from './histogram.js';
export type { ErrorKind, LoadOptions, LoadProgress, LoadRequest, LoadResult, LoadSummary } from './types.js';
