// Concept folders are imported by subpath (`@chainloop-ts/core/contract`, `/attestation`, ...); see package.json exports.
export * from './errors';
export * from './names';
export * from './phase-timings';
export * from './version';
