import type { Command } from 'commander';

export function registerAttestationPush(_attestation: Command): void {}
