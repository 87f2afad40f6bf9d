export { buildProject, formatTscDiagnostics, runBuild, type BuildOptions } from './build-project.js';
export { startEmbeddedDb, type EmbeddedDb } from './embedded-db.js';
export { loadEnvFile, parseEnvFile, type ParsedEnvFile } from './env-file.js';
export { findProject, type Project } from './find-project.js';
