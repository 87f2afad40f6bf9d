import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const createBin = join(repoRoot, 'bin', 'create-async-server.js');
export const asyncsrvBin = join(repoRoot, 'bin', 'asyncsrv.js');
export const templatesRoot = join(repoRoot, 'templates');
