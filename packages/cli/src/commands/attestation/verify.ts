import type { Command } from 'commander';

export function registerAttestationVerify(_attestation: Command): void {}
