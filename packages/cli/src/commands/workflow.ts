import type { Command } from 'commander';

// workflow create|list, contract update|describe, robot-account create|revoke, run list|describe (admin token).
export function registerWorkflowCommands(_program: Command): void {}
