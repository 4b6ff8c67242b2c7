// Patch review: parse a patch or a series, apply it in memory, and classify what it introduces,
// fixes and leaves in the C files and models it touches.

export { parseSeries } from './parseSeries';
export { reviewSeries, modelTextsToCheck, languageOfPath, type ReviewEnvironment, type ReviewOutcome, type ReviewProblem } from './review';
export { directorySource } from './directorySource';
export { PatchedTree, unsafePath, type ReadResult, type TreeSource, type AppliedFile } from './tree';
export { hunkLineRefs, patchLineOf, type HunkLineRef } from './hunkLines';
export { countByClass, findingText, type FileReview, type FindingClass, type PatchReview, type ReviewFinding, type SeriesReview } from './types';
export { describeHunk, describePatch, displayPath, type FilePatch, type Hunk, type HunkLine, type ParsedSeries, type Patch, type PatchProblem } from './patch';
export type { CAnalyzer } from './cReview';
export { engineModelChecker, type ModelBudget, type ModelChecker } from './modelReview';
