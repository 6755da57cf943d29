import type { BenchControlPlane } from './control-plane';
import type { BenchOptions } from './options';
import type { BenchResults } from './results';

/** What every section gets: the options, the running control plane, a robot token and where to put files. */
export interface BenchContext {
  options: BenchOptions;
  cp: BenchControlPlane;
  /** Robot token of the bench workflow (bench/fixtures/bench-contract.yaml). */
  robotToken: string;
  /** `127.0.0.1:<port>/bench-app@sha256:…`: an image pushed to a real registry on loopback, added by digest. */
  image: string;
  /** A fresh directory on the work disk for this bench run; removed at the end. */
  scratch: string;
  results: BenchResults;
  log(line: string): void;
}
