export { runStart, type StartOptions } from './run-start.js';
