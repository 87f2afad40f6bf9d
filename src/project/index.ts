export { findProject, type Project } from './find-project.js';
