export { isMaterialKindName } from './enum-names';
export * from './model';
export { parseContract } from './parse-contract';
export { parsePolicyDocument, policyError } from './parse-policy';
export { parsePolicyRef } from './parse-policy-attachments';
export { parsePolicyGroupDocument } from './parse-policy-group';
export * from './policy-model';
