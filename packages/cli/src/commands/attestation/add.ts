import type { Command } from 'commander';

export function registerAttestationAdd(_attestation: Command): void {}
