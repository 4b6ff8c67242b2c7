// The `lifetime` command. Every outcome is a report and an exit code: 0 clean, 1 errors or unmet
// expectations, 2 a usage or input error. Nothing ever prints a stack trace: an unexpected failure
// is reported as one line, `lifetime: internal error: <message>`.

import { parseArgs } from './args';
import { runCheck } from './check';
import { runExport, type CommandOutput } from './exportCommand';
import { runGallery } from './galleryCommand';
import { CHECK_HELP, EXPORT_HELP, GALLERY_HELP, MAIN_HELP, REVIEW_HELP } from './help';
import { runReview } from './review/command';
import { VERSION } from './version';

export async function run(argv: readonly string[]): Promise<CommandOutput> {
  const command = parseArgs(argv);
  switch (command.command) {
    case 'help': {
      const topics = { check: CHECK_HELP, export: EXPORT_HELP, gallery: GALLERY_HELP, review: REVIEW_HELP };
      const text = command.topic ? topics[command.topic] : MAIN_HELP;
      return { stdout: `${text}\n`, stderr: '', exitCode: 0 };
    }
    case 'version':
      return { stdout: `lifetime ${VERSION}\n`, stderr: '', exitCode: 0 };
    case 'usage-error':
      return { stdout: '', stderr: `lifetime: ${command.message}\n`, exitCode: 2 };
    case 'check':
      return runCheck(command);
    case 'export':
      return runExport(command);
    case 'gallery':
      return runGallery(command);
    case 'review':
      return runReview(command);
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'unknown error';
}

/** Writes everything, then exits once the streams have flushed (stdout may be a slow pipe). */
function finish(output: CommandOutput): void {
  process.exitCode = output.exitCode;
  if (output.stderr) process.stderr.write(output.stderr);
  if (output.stdout) process.stdout.write(output.stdout);
}

function internalError(error: unknown): void {
  process.stderr.write(`lifetime: internal error: ${oneLine(error)}\n`);
  process.exitCode = 2;
}

function main(): void {
  process.on('uncaughtException', (error) => {
    internalError(error);
    process.exit(2);
  });
  process.on('unhandledRejection', (error) => {
    internalError(error);
    process.exit(2);
  });
  // A closed pipe (`lifetime check ... | head`) is not an error worth a trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    internalError(error);
    process.exit(2);
  });
  run(process.argv.slice(2)).then(finish, (error) => internalError(error));
}

if (require.main === module) main();
