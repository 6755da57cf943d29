import type { Command } from 'commander';

// keys generate [--output-prefix cosign] [--kdf-n N] [--force].
export function registerKeysCommands(_program: Command): void {}
