import { main } from './main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`ERR ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
