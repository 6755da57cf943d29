import { ChainloopError } from '@chainloop-ts/core';

type ControlPlaneModule = typeof import('@chainloop-ts/control-plane');

const PACKAGE = '@chainloop-ts/control-plane';

/**
 * The control plane is its own package (it carries better-sqlite3, a native module the single-file CLI must not):
 * installed globally next to the CLI, or alongside it in a project, a plain require finds it. When it is not there, the
 * user gets one line saying how to get it instead of Node's require stack.
 */
export function loadControlPlane(): ControlPlaneModule {
  try {
    // A literal, so the bundler sees the one module it must leave external.
    return require('@chainloop-ts/control-plane') as ControlPlaneModule;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Only the package itself missing; a broken install (a dependency of it missing) keeps its own message.
    if (code !== 'MODULE_NOT_FOUND' || !message.startsWith(`Cannot find module '${PACKAGE}'`)) throw error;
    throw new ChainloopError(
      'CONTROL_PLANE_NOT_INSTALLED',
      `control-plane start: the control plane is not installed next to this CLI: run npm install -g ${PACKAGE} (then chainloop control-plane start again), or npx ${PACKAGE} start`,
    );
  }
}
