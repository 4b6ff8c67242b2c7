// Command-line arguments: `lifetime check ...`, `lifetime export ...`, `--help`, `--version`.
// Parsing never throws; a bad command line yields a one-line reason (exit code 2).

import { integer, splitFlag } from './flags';
import { parseReviewArgs, type ReviewCommand } from './review/args';

/** The most worker threads `--jobs` may ask for. */
const MAX_JOBS = 256;
/** The most threads `--search-workers` may ask for. */
const MAX_SEARCH_WORKERS = 64;

export type OutputFormat = 'text' | 'json' | 'sarif';

export interface CheckCommand {
  command: 'check';
  paths: string[];
  format: OutputFormat;
  exact: boolean;
  maxStates?: number;
  timeoutMs?: number;
  /** The memory budget of each search, in MiB. */
  maxMemoryMiB?: number;
  simulate?: number;
  seed?: number;
  apiFiles: string[];
  engine: boolean;
  /** C files: list every function with a parse gap rather than one line per file. */
  verbose: boolean;
  /** C files: report findings of low confidence too. */
  allFindings: boolean;
  /** Check only these proposals (`baseline` included by name). */
  proposals: string[];
  /** Who searches the models: the engine, or SPIN on the Promela export (`--backend spin`). */
  backend: 'engine' | 'spin';
  /** Worker threads checking proposals and files at once (`--jobs`); by default one per core. */
  jobs?: number;
  /** Threads of each exact search (`--search-workers`); 1 by default. */
  searchWorkers?: number;
}

export interface ExportCommand {
  command: 'export';
  path: string;
  proposal: string;
  output?: string;
  /** Extra kernel API tables, for models with C bodies. */
  apiFiles: string[];
}

export interface GalleryCommand {
  command: 'gallery';
  path: string;
  output?: string;
  exact: boolean;
  /** Extra kernel API tables, for models with C bodies. */
  apiFiles: string[];
}

export type Command =
  | CheckCommand
  | ExportCommand
  | GalleryCommand
  | ReviewCommand
  | { command: 'help'; topic?: 'check' | 'export' | 'gallery' | 'review' }
  | { command: 'version' }
  | { command: 'usage-error'; message: string };

function usageError(message: string): Command {
  return { command: 'usage-error', message };
}

export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) return usageError("no command given; run 'lifetime --help' (usage: lifetime check <files or directories>)");
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0] === 'check' || rest[0] === 'export' || rest[0] === 'gallery' || rest[0] === 'review' ? rest[0] : undefined;
    return { command: 'help', topic };
  }
  if (first === '--version' || first === '-V' || first === 'version') return { command: 'version' };
  if (first === 'check') return parseCheck(rest);
  if (first === 'export') return parseExport(rest);
  if (first === 'gallery') return parseGallery(rest);
  if (first === 'review') return parseReviewArgs(rest);
  if (first.startsWith('-')) return usageError(`unknown option '${first}'; run 'lifetime --help'`);
  return usageError(`unknown command '${first}'; the commands are 'check', 'review', 'export' and 'gallery' (run 'lifetime --help')`);
}

function parseCheck(args: readonly string[]): Command {
  const command: CheckCommand = { command: 'check', paths: [], format: 'text', exact: false, apiFiles: [], engine: true, verbose: false, allFindings: false, proposals: [], backend: 'engine' };
  let onlyPaths = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPaths || !arg.startsWith('-') || arg === '-') {
      command.paths.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPaths = true;
      continue;
    }
    const { flag, inline } = splitFlag(arg);
    const takesValue = ['--format', '--max-states', '--timeout-ms', '--max-memory', '--simulate', '--seed', '--api', '--proposal', '--backend', '--jobs', '-j', '--search-workers', '-f'].includes(flag);
    let value: string | undefined = inline;
    if (takesValue && value === undefined) {
      value = args[i + 1];
      if (value === undefined) return usageError(`option '${flag}' needs a value`);
      i++;
    } else if (!takesValue && inline !== undefined) {
      return usageError(`option '${flag}' takes no value`);
    }
    switch (flag) {
      case '--help':
      case '-h':
        return { command: 'help', topic: 'check' };
      case '--format':
      case '-f':
        if (value !== 'text' && value !== 'json' && value !== 'sarif') return usageError(`--format must be text, json or sarif, not '${value}'`);
        command.format = value;
        break;
      case '--exact':
        command.exact = true;
        break;
      case '--no-engine':
        command.engine = false;
        break;
      case '--verbose':
        command.verbose = true;
        break;
      case '--all-findings':
        command.allFindings = true;
        break;
      case '--max-states': {
        const n = integer(value, 1);
        if (n === undefined) return usageError(`--max-states needs a positive whole number, not '${value}'`);
        command.maxStates = n;
        break;
      }
      case '--timeout-ms': {
        const n = integer(value, 1);
        if (n === undefined) return usageError(`--timeout-ms needs a positive whole number of milliseconds, not '${value}'`);
        command.timeoutMs = n;
        break;
      }
      case '--jobs':
      case '-j': {
        const n = integer(value, 1);
        if (n === undefined || n > MAX_JOBS) return usageError(`--jobs needs a whole number of workers from 1 to ${MAX_JOBS}, not '${value}'`);
        command.jobs = n;
        break;
      }
      case '--search-workers': {
        const n = integer(value, 1);
        if (n === undefined || n > MAX_SEARCH_WORKERS) return usageError(`--search-workers needs a whole number of threads from 1 to ${MAX_SEARCH_WORKERS}, not '${value}'`);
        command.searchWorkers = n;
        break;
      }
      case '--max-memory': {
        const n = integer(value, 1);
        if (n === undefined) return usageError(`--max-memory needs a positive whole number of MiB, not '${value}'`);
        command.maxMemoryMiB = n;
        break;
      }
      case '--simulate': {
        const n = integer(value, 1);
        if (n === undefined) return usageError(`--simulate needs a positive whole number of runs, not '${value}'`);
        command.simulate = n;
        break;
      }
      case '--seed': {
        const n = integer(value, 0);
        if (n === undefined || n > 0xffffffff) return usageError(`--seed needs a whole number from 0 to 4294967295, not '${value}'`);
        command.seed = n;
        break;
      }
      case '--api':
        command.apiFiles.push(value as string);
        break;
      case '--proposal':
        command.proposals.push(value as string);
        break;
      case '--backend':
        if (value !== 'engine' && value !== 'spin') return usageError(`--backend must be engine or spin, not '${value}'`);
        command.backend = value;
        break;
      default:
        return usageError(`unknown option '${flag}' for 'lifetime check'; run 'lifetime check --help'`);
    }
  }
  if (command.paths.length === 0) return usageError("'lifetime check' needs at least one file or directory");
  if (command.seed !== undefined && command.simulate === undefined) return usageError('--seed replays a simulation; use it with --simulate N');
  if (command.backend === 'spin' && command.simulate !== undefined) return usageError('--simulate runs the engine; it does not combine with --backend spin');
  if (command.backend === 'spin' && !command.engine) return usageError('--backend spin checks the models; it does not combine with --no-engine');
  return command;
}

function parseExport(args: readonly string[]): Command {
  let promela = false;
  let path: string | undefined;
  let proposal = 'baseline';
  let output: string | undefined;
  const apiFiles: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const { flag, inline } = splitFlag(args[i]);
    const next = (): string | undefined => {
      if (inline !== undefined) return inline;
      i++;
      return args[i];
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { command: 'help', topic: 'export' };
      case '--promela':
        if (inline !== undefined) {
          promela = true;
          path = inline;
        } else {
          promela = true;
        }
        break;
      case '--proposal': {
        const value = next();
        if (value === undefined) return usageError("option '--proposal' needs a value");
        proposal = value;
        break;
      }
      case '-o':
      case '--output': {
        const value = next();
        if (value === undefined) return usageError(`option '${flag}' needs a value`);
        output = value;
        break;
      }
      case '--api': {
        const value = next();
        if (value === undefined) return usageError("option '--api' needs a value");
        apiFiles.push(value);
        break;
      }
      default:
        if (flag.startsWith('-') && flag !== '-') return usageError(`unknown option '${flag}' for 'lifetime export'; run 'lifetime export --help'`);
        if (path !== undefined) return usageError(`'lifetime export' takes one file; got '${path}' and '${args[i]}'`);
        path = args[i];
    }
  }
  if (!promela) return usageError("'lifetime export' needs a format: --promela");
  if (path === undefined) return usageError("'lifetime export --promela' needs a .lifetime file");
  return { command: 'export', path, proposal, output, apiFiles };
}

function parseGallery(args: readonly string[]): Command {
  const command: GalleryCommand = { command: 'gallery', path: '', exact: false, apiFiles: [] };
  for (let i = 0; i < args.length; i++) {
    const { flag, inline } = splitFlag(args[i]);
    switch (flag) {
      case '--help':
      case '-h':
        return { command: 'help', topic: 'gallery' };
      case '--exact':
        command.exact = true;
        break;
      case '-o':
      case '--output': {
        const value = inline ?? args[++i];
        if (value === undefined) return usageError(`option '${flag}' needs a value`);
        command.output = value;
        break;
      }
      case '--api': {
        const value = inline ?? args[++i];
        if (value === undefined) return usageError("option '--api' needs a value");
        command.apiFiles.push(value);
        break;
      }
      default:
        if (flag.startsWith('-') && flag !== '-') return usageError(`unknown option '${flag}' for 'lifetime gallery'; run 'lifetime gallery --help'`);
        if (command.path) return usageError(`'lifetime gallery' takes one directory; got '${command.path}' and '${args[i]}'`);
        command.path = args[i];
    }
  }
  if (!command.path) return usageError("'lifetime gallery' needs a directory of .lifetime models");
  return command;
}
