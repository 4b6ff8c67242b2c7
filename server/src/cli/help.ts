// Usage text for `lifetime --help`, `lifetime check --help` and `lifetime export --help`.

export const MAIN_HELP = `lifetime - check kernel lifetime designs: use-after-free, DMA after free, leaks, deadlocks

Usage:
  lifetime check [options] <files or directories>...
  lifetime review [options] <patch files | - | revision range | --staged>
  lifetime export --promela <file.lifetime> [--proposal NAME] [-o out.pml] [--api FILE]
  lifetime gallery <directory> [-o page.md] [--exact] [--api FILE]
  lifetime --help | --version

Commands:
  check    Check .lifetime models (every proposal, every interleaving) and kernel C files.
  review   Review a patch or a series: what it introduces, fixes and leaves in C files and models.
  export   Write a model as Promela for the SPIN model checker.
  gallery  Render a directory of models as a Markdown page: questions, verdicts and traces.

Run 'lifetime check --help', 'lifetime review --help', 'lifetime export --help' or
'lifetime gallery --help' for their options.
Exit codes: 0 no errors and every expectation met; 1 errors or unmet expectations;
            2 usage or input error (missing, unreadable, not UTF-8 or too large a file).
Documentation: docs/cli.md, docs/diagnostics.md`;

export const CHECK_HELP = `Usage: lifetime check [options] <files or directories>...

Checks each .lifetime file (syntax, names, then the engine on every proposal) and each .c/.h file
(reference and lock balance on every path). Directories are searched recursively for .lifetime, .c
and .h files.

Options:
  --format text|json|sarif  Output format (default text). JSON and SARIF go to stdout.
  --exact                   Turn reductions off: traces are the shortest possible.
  --max-states N            Stop each search after N states (default 10000000, as in the editor).
  --timeout-ms N            Bound each proposal, and each model's parsing, to N ms (default 300000, as in the editor).
  --max-memory MIB          Stop each search when its states take more than MIB MiB (default 1024).
  -j, --jobs N              Check proposals and files on N worker threads at once (default: one
                            per core). Verdicts, traces and output are the same for every N.
  --search-workers N        With --exact: run each search on N threads, layer by layer (default 1).
                            Verdicts, traces and state counts are the same for every N.
  --simulate N              Run N random executions per proposal instead of an exhaustive search.
  --seed S                  With --simulate: the seed to replay (printed by a previous run).
  --api FILE                An extra kernel API table for C files (repeatable).
  --proposal NAME           Check only this proposal ('baseline' for the baseline; repeatable).
  --no-engine               Only parse and check names; run no search.
  --verbose                 C files: one parse-gap note per function, not one line per file.
  --all-findings            C files: also the findings of low confidence, as infos with the reason
                            (by default they are only counted in the summary).
  --backend engine|spin     Who searches the models: the engine (default), or SPIN on the Promela
                            export (needs spin and gcc; see docs/spin.md).
  -h, --help                Show this help.`;

export const REVIEW_HELP = `Usage: lifetime review [options] <patch files...>
       lifetime review [options] -
       lifetime review [options] <revision range>      (in a git checkout: HEAD~3..HEAD, or one commit)
       lifetime review [options] --staged

Applies a unified diff, or a git format-patch mbox of one patch or a series, in memory to the tree
(nothing is written), analyses each touched C file and model before and after each patch, and
reports for the functions the patch touches what it introduces, fixes and leaves.

Options:
  --tree DIR                The tree the patches apply to (default: the working directory).
  --staged                  Review the staged changes of the git checkout at --tree against HEAD.
  --format text|json|sarif|email
                            Output format (default text); email writes a review reply per patch.
  --api FILE                An extra kernel API table for C files (repeatable).
  --exact                   Models: turn the search's reductions off.
  --max-states N            Models: stop each search after N states.
  --timeout-ms N            Models: stop each search after N milliseconds.
  --max-memory MIB          Models: stop each search when its states take more than MIB MiB.
  -h, --help                Show this help.

Exit codes: 0 nothing introduced; 1 something introduced; 2 an input error (a patch that does not
apply, an unreadable file, a file that is not a patch).`;

export const EXPORT_HELP = `Usage: lifetime export --promela <file.lifetime> [--proposal NAME] [-o out.pml] [--api FILE]

Writes the baseline (or the named proposal) as a Promela model with the same semantics and the
same built-in violations as assertions, for SPIN. Without -o, the model goes to stdout. C bodies
are translated through the kernel API table, plus the --api files (repeatable).`;

export const GALLERY_HELP = `Usage: lifetime gallery <directory> [-o page.md] [--exact] [--api FILE]

Checks every .lifetime model in the directory and writes a Markdown page with, for each model, the
question under review (its "// Question:" comment), the verdict table and the shortest trace of each
violation. Links to the models are relative to the page. Without -o, the page goes to stdout.
--exact turns reductions off; --api adds kernel API tables for C bodies (repeatable). Exit codes
as for check: 1 when a verdict is not the one its model expects.`;
