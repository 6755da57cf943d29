import type { Command } from 'commander';

export function registerAttestationStatus(_attestation: Command): void {}
