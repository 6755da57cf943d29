export { isMaterialKindName } from './enum-names';
export * from './model';
export { parseContract } from './parse-contract';
export { parsePolicyDocument, policyError } from './parse-policy';
export { parsePolicyRef } from './parse-policy-attachments';
export * from './policy-model';
