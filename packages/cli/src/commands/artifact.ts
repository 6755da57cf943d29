import type { Command } from 'commander';

// artifact download --digest sha256:… [--output PATH].
export function registerArtifactCommands(_program: Command): void {}
