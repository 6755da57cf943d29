// The released tarballs installed outside the repository and the seed's flow, under Node 24 (see outside-seed.ts).
import { outsideSeedTest } from './outside-seed';

outsideSeedTest(24);
