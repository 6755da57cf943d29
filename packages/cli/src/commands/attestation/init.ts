import type { Command } from 'commander';

export function registerAttestationInit(_attestation: Command): void {}
