import { writeSync } from 'node:fs';

/**
 * Writing to stdout and stderr without Node's stream objects. The first read of `process.stdout` (or `stderr`) builds
 * a stream: for a pipe, as CI runners and the bench give the CLI, that loads net, the stream stack and their helpers,
 * ~4 ms of a ~22 ms `node -e 0`, paid by every command that prints a line (bench/ §2). A direct write to the file
 * descriptor prints the same bytes in the same order, synchronously, as Node's stdio does for files and pipes on Linux.
 *
 * Two cases go back to the stream for the rest of the run: EAGAIN (a descriptor someone made non-blocking, e.g. a pipe
 * shared with a parent Node process, that is full) and any error but EPIPE (a closed descriptor, …), so those behave
 * as before. EPIPE (`chainloop … | head`) ends the process quietly, as the stream handlers of bin.ts do.
 */
function directWriter(fd: 1 | 2, stream: () => NodeJS.WriteStream): (text: string) => void {
  let viaStream = false;
  return (text) => {
    if (viaStream) {
      stream().write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(process.exitCode ?? 0);
      viaStream = true;
      stream().write(bytes.subarray(written));
    }
  };
}

export const writeStdout = directWriter(1, () => process.stdout);
export const writeStderr = directWriter(2, () => process.stderr);

/**
 * Runs `handle` on `process.stdout` / `process.stderr` when something first reads it (a prompt, commander's help
 * width), without building the stream before: Node defines both as lazy getters on `process`.
 */
export function whenStdioStreamCreated(name: 'stdout' | 'stderr', handle: (stream: NodeJS.WriteStream) => void): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const create = descriptor?.get;
  if (!create || !descriptor.configurable) {
    handle(process[name]);
    return;
  }
  let created: NodeJS.WriteStream | undefined;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: descriptor.enumerable,
    get() {
      if (!created) {
        created = create.call(process) as NodeJS.WriteStream;
        handle(created);
      }
      return created;
    },
  });
}
