// Public surface of the control plane: start a server in-process (used by tests and `chainloop control-plane start`).
export {};
