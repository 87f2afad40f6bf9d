// The one place bench:talk reaches into src/, through the public index.ts of each area.
export { runLoad, summarizeLoadResult, type LoadResult } from '../../src/bench/engine/index.js';
export { buildProject, findProject, startEmbeddedDb, type EmbeddedDb } from '../../src/project/index.js';
export {
  readProcessUsage,
  sampleProcessUsage,
  startMockUpstream,
  startTarget,
  summariseUsage,
  type MockUpstream,
  type Target,
} from '../../src/bench/index.js';
