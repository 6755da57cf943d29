export type LogLevel = 'INF' | 'WRN' | 'ERR';

/** Where the control plane's log lines go. */
export interface LogSink {
  write(level: LogLevel, line: string): void;
  /** Lines that could not be written (full disk, closed pipe), for the metrics. */
  dropped(): number;
}

/**
 * Log lines on a stream (stderr by default). A line the stream cannot take — the log file's disk is full, stderr is
 * /dev/full, the reader of the log pipe exited — is dropped and counted: logging never stops the server. Without the
 * error listener, Node turns the first failed write (EPIPE, ENOSPC) into an uncaught exception that ends the process.
 */
export class StreamLogSink implements LogSink {
  private droppedLines = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {
    stream.on('error', () => undefined);
  }

  write(level: LogLevel, line: string): void {
    // One line, whatever the message holds: a stack or a client-sent value must not forge further log lines.
    const text = `${level} ${line.replace(/[\r\n]+/g, ' ')}\n`;
    try {
      this.stream.write(text, (error) => {
        if (error) this.droppedLines++;
      });
    } catch {
      this.droppedLines++;
    }
  }

  dropped(): number {
    return this.droppedLines;
  }
}
