export { runBench, type BenchOptions } from './run-bench.js';
export type { BenchReport, ScenarioReport } from './report/format-report.js';
export { DEFAULT_SCENARIOS } from './scenarios.js';
