import type { Command } from 'commander';

export function registerAttestationReset(_attestation: Command): void {}
