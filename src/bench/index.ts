export { runBench, type BenchOptions, type CapacityFlags } from './run-bench.js';
export type { BenchReport, ScenarioReport } from './report/format-report.js';
export type { LatencyMs, PercentilesMs } from './report/latency-ms.js';
export { readBaseline } from './report/baseline.js';
export { parseFaultSpec, parsePercent } from './parse-flags.js';
export { parseThresholds } from './report/thresholds.js';
export { DEFAULT_SCENARIOS } from './scenarios.js';
// The pieces a bench of our own (bench/talk) composes: mock upstream, production target, /proc sampling.
export { startMockUpstream, type MockUpstream } from './upstream/mock-upstream.js';
export { startTarget, type Target } from './target/start-target.js';
export { readProcessUsage, sampleProcessUsage, summariseUsage } from './target/process-usage.js';
