// Real kernel fixes as edits against linux-source-6.1: each entry of kernel-fixes.json names the
// file, the function, the upstream fix commit, and the lines the fix wrote (as 6.1 has them) with
// the lines it replaced. From these, at test time, a two-patch series is written: first the
// revert (6.1 back to the bug), then the fix again. No kernel source is kept in the repository.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cFunctionSpans } from '../../server/src/core/review/cFunctions';
import { KERNEL_TARBALL, kernelCacheDir, type KernelTree } from '../c/kernelSource';

export interface KernelFix {
  file: string;
  function: string;
  /** The upstream commit that fixed the bug (its fixed lines are in linux-source-6.1). */
  commit: string;
  subject: string;
  /** The finding the revert brings back: `leak`, `lock-leak`, `double-release`, ... */
  kind: string;
  /** The lines as the fix left them, contiguous, in the function (tabs as in the source). */
  fixed: string[];
  /** The lines the fix replaced (empty when it only added lines). */
  buggy: string[];
  /** Why the revert is a bug, in one sentence. */
  why: string;
}

export const KERNEL_FIXES_FILE = path.join(process.cwd(), 'test/review/kernel-fixes.json');

export function loadKernelFixes(): KernelFix[] {
  return JSON.parse(fs.readFileSync(KERNEL_FIXES_FILE, 'utf8')).fixes as KernelFix[];
}

const CONTEXT = 3;

function hunk(lines: string[], at: number, removed: string[], added: string[]): string[] {
  const before = Math.max(0, at - CONTEXT);
  const afterEnd = Math.min(lines.length, at + removed.length + CONTEXT);
  const leading = lines.slice(before, at);
  const trailing = lines.slice(at + removed.length, afterEnd);
  const oldCount = leading.length + removed.length + trailing.length;
  const newCount = leading.length + added.length + trailing.length;
  return [
    `@@ -${before + 1},${oldCount} +${before + 1},${newCount} @@`,
    ...leading.map((l) => ` ${l}`),
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    ...trailing.map((l) => ` ${l}`),
  ];
}

function mail(number: number, subject: string, body: string, file: string, hunkLines: string[]): string {
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: Lifetime Review tests <tests@example.org>',
    'Date: Mon, 5 Jan 2026 10:00:00 +0000',
    `Subject: [PATCH ${number}/2] ${subject}`,
    '',
    body,
    '---',
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    ...hunkLines,
    '-- ',
    '2.39.5',
    '',
    '',
  ].join('\n');
}

export interface FixSeries {
  /** An mbox of two patches: the revert, then the fix. */
  mbox: string;
  revertSubject: string;
  fixSubject: string;
}

/** The series for one fix, from the file's 6.1 text; a string says why it cannot be built. */
export function fixSeries(fix: KernelFix, text: string): FixSeries | string {
  const span = cFunctionSpans(text).find((s) => s.name === fix.function);
  if (!span) return `${fix.file}: no function ${fix.function}()`;
  const lines = text.split('\n');
  const firstLine = text.slice(0, span.start).split('\n').length - 1;
  const lastLine = text.slice(0, span.end).split('\n').length - 1;
  const places: number[] = [];
  for (let i = firstLine; i + fix.fixed.length - 1 <= lastLine; i++) {
    if (fix.fixed.every((line, k) => lines[i + k] === line)) places.push(i);
  }
  if (places.length !== 1) return `${fix.file}: ${fix.function}() has the fixed lines ${places.length} times, not once`;
  const at = places[0];
  const buggyLines = [...lines.slice(0, at), ...fix.buggy, ...lines.slice(at + fix.fixed.length)];
  const revertSubject = `Revert "${fix.subject}"`;
  const revert = mail(1, revertSubject, `This reverts commit ${fix.commit}.`, fix.file, hunk(lines, at, fix.fixed, fix.buggy));
  const again = mail(2, fix.subject, `The fix again, as commit ${fix.commit} wrote it.`, fix.file, hunk(buggyLines, at, fix.buggy, fix.fixed));
  return { mbox: revert + again, revertSubject, fixSubject: fix.subject };
}

const TOP = 'linux-source-6.1';

/**
 * Makes sure the fixes' files are extracted from the tarball into the shared cache (only those
 * files: a review reads nothing else); returns the source root, or why there is none.
 */
export function ensureKernelFiles(files: readonly string[]): KernelTree {
  if (!fs.existsSync(KERNEL_TARBALL)) return { missing: `${KERNEL_TARBALL} is not installed (apt-get install linux-source-6.1)` };
  const cache = kernelCacheDir();
  const root = path.join(cache, TOP);
  const marker = (file: string) => path.join(cache, `.extracted-file-${file.replace(/[\\/]/g, '_')}`);
  const needed = [...new Set(files)].filter((file) => !fs.existsSync(marker(file)));
  if (needed.length > 0) {
    fs.mkdirSync(cache, { recursive: true });
    const result = spawnSync('tar', ['-xJf', KERNEL_TARBALL, '-C', cache, ...needed.map((file) => `${TOP}/${file}`)], { encoding: 'utf8' });
    if (result.status !== 0) return { missing: `tar failed: ${result.stderr || result.error?.message || 'unknown error'}` };
    for (const file of needed) fs.writeFileSync(marker(file), new Date().toISOString());
  }
  return { root };
}
