import type { Command } from 'commander';
import { registerAttestationAdd } from './add';
import { registerAttestationFinish } from './finish';
import { registerAttestationInit } from './init';
import { registerAttestationPush } from './push';
import { registerAttestationReset } from './reset';
import { registerAttestationStatus } from './status';
import { registerAttestationVerify } from './verify';

export function registerAttestationCommands(program: Command): void {
  const attestation = program
    .command('attestation')
    .alias('att')
    .description('craft, sign, push and verify attestations');
  registerAttestationInit(attestation);
  registerAttestationAdd(attestation);
  registerAttestationStatus(attestation);
  registerAttestationPush(attestation);
  registerAttestationReset(attestation);
  registerAttestationFinish(attestation);
  registerAttestationVerify(attestation);
}
