export { isMaterialKindName } from './enum-names';
export * from './model';
export { parseContract } from './parse-contract';
