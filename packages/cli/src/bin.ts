import { main } from './main';
import { whenStdioStreamCreated, writeStderr } from './stdio';

// `chainloop … | head` closes stdout early: that is the reader's choice, not an error worth a stack trace. Output goes
// through stdio.ts, which handles it; these are for a stream something else creates (a prompt), and only then, since
// building the streams costs ~4 ms.
for (const name of ['stdout', 'stderr'] as const) {
  whenStdioStreamCreated(name, (stream) =>
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    }),
  );
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    writeStderr(`ERR ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
