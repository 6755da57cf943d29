// The adapter contract: start (init), add (one or many), finish with the CI's own job status.
export * from './add-materials';
export * from './finish';
export * from './job-status';
export * from './material-list';
