// `chainloop-control-plane start …`: the same as `chainloop control-plane start …`.
export {};
