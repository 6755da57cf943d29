export const CHAINLOOP_TS_VERSION = '0.1.0';
