// `lifetime review` arguments. Parsing never throws; a bad command line is a one-line reason.

import { integer, splitFlag } from '../flags';

export type ReviewFormat = 'text' | 'json' | 'sarif' | 'email';

export interface ReviewCommand {
  command: 'review';
  /** Patch files (`-` for stdin), or one revision range. */
  inputs: string[];
  staged: boolean;
  /** The tree the patches apply to (default: the working directory). */
  tree: string;
  format: ReviewFormat;
  apiFiles: string[];
  exact: boolean;
  maxStates?: number;
  timeoutMs?: number;
  maxMemoryMiB?: number;
}

export type ReviewParse = ReviewCommand | { command: 'help'; topic: 'review' } | { command: 'usage-error'; message: string };

const VALUE_FLAGS = ['--tree', '--format', '-f', '--api', '--max-states', '--timeout-ms', '--max-memory'];

export function parseReviewArgs(args: readonly string[]): ReviewParse {
  const command: ReviewCommand = { command: 'review', inputs: [], staged: false, tree: '.', format: 'text', apiFiles: [], exact: false };
  const usage = (message: string): ReviewParse => ({ command: 'usage-error', message });
  let onlyInputs = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyInputs || !arg.startsWith('-') || arg === '-') {
      command.inputs.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyInputs = true;
      continue;
    }
    const { flag, inline } = splitFlag(arg);
    let value = inline;
    if (VALUE_FLAGS.includes(flag)) {
      if (value === undefined) {
        value = args[++i];
        if (value === undefined) return usage(`option '${flag}' needs a value`);
      }
    } else if (value !== undefined) {
      return usage(`option '${flag}' takes no value`);
    }
    switch (flag) {
      case '-h':
      case '--help':
        return { command: 'help', topic: 'review' };
      case '--tree':
        command.tree = value!;
        break;
      case '--staged':
      case '--cached':
        command.staged = true;
        break;
      case '--format':
      case '-f':
        if (value !== 'text' && value !== 'json' && value !== 'sarif' && value !== 'email') return usage(`--format must be text, json, sarif or email, not '${value}'`);
        command.format = value;
        break;
      case '--api':
        command.apiFiles.push(value!);
        break;
      case '--exact':
        command.exact = true;
        break;
      case '--max-states':
      case '--timeout-ms':
      case '--max-memory': {
        const n = integer(value, 1);
        if (n === undefined) return usage(`${flag} needs a positive whole number, not '${value}'`);
        if (flag === '--max-states') command.maxStates = n;
        else if (flag === '--timeout-ms') command.timeoutMs = n;
        else command.maxMemoryMiB = n;
        break;
      }
      default:
        return usage(`unknown option '${flag}' for 'lifetime review'; run 'lifetime review --help'`);
    }
  }
  if (command.staged && command.inputs.length > 0) return usage("--staged reviews the git index; give no patch file or revision range with it");
  if (!command.staged && command.inputs.length === 0) {
    return usage("'lifetime review' needs a patch file ('-' for stdin), a revision range such as HEAD~3..HEAD, or --staged");
  }
  if (command.inputs.filter((input) => input === '-').length > 1) return usage("stdin ('-') can be read only once");
  return command;
}
