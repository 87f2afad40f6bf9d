import yoctoSpinner from 'yocto-spinner';

/** A step that takes more than a second: a spinner on a TTY, one plain line otherwise, nothing in CI. */
export interface Progress {
  /** New text for a running step (a TTY spinner only; plain output stays quiet). */
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function startProgress(text: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  if (!interactive) {
    if (!process.env.CI) stream.write(`${text}\n`);
    return {
      update: () => undefined,
      succeed: (done) => {
        if (!process.env.CI) stream.write(`${done}\n`);
      },
      fail: (failed) => stream.write(`${failed}\n`),
    };
  }
  const spinner = yoctoSpinner({ text, stream }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => {
      spinner.success(done);
    },
    fail: (failed) => {
      spinner.error(failed);
    },
  };
}
