// The one place bench:talk reaches into src/: the engine and project surfaces through their
// index.ts, and the upstream mock, target and /proc sampler by file, as src/bench/index.ts
// exports only runBench.
export { runLoad, summarizeLoadResult, type LoadResult } from '../../src/bench/engine/index.js';
export { buildProject, findProject, startEmbeddedDb, type EmbeddedDb } from '../../src/project/index.js';
export { startMockUpstream, type MockUpstream } from '../../src/bench/upstream/mock-upstream.js';
export { startTarget, type Target } from '../../src/bench/target/start-target.js';
export { readProcessUsage, sampleProcessUsage, summariseUsage } from '../../src/bench/target/process-usage.js';
