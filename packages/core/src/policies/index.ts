export { BUILTIN_POLICY_NAMES, builtinPolicyText } from './builtin';
export { celEngine } from './cel-engine';
export { checkContractPolicies } from './check-contract';
export { checkPolicyDocument, checkPolicyGroupDocument } from './check-documents';
export type { CompiledScript, PolicyEngine, RuleInput, ScriptContext, ScriptOutcome } from './engine';
export {
  compilePolicy,
  DEFAULT_POLICY_TIMEOUT_MS,
  evaluateAttestationPolicies,
  evaluateMaterialPolicies,
  type PolicyEvaluationOptions,
} from './evaluate-policies';
export * from './evaluation';
export {
  contractPolicyAttachments,
  type EvaluatedAttachment,
  type ExpandedPolicyGroup,
  expandPolicyGroup,
} from './policy-groups';
export { computePolicyInputs, ruleArguments, splitInputValues } from './policy-inputs';
export {
  createPolicyResolver,
  type PolicyResolver,
  type PolicyResolverOptions,
  type ResolvedPolicy,
  type ResolvedPolicyGroup,
  type StoredDocumentFetcher,
} from './policy-resolver';
export { attestationRuleInput, materialRuleInput, type PolicyMaterial } from './rule-input';
