// The benchmark family: N workers, each running K iterations of the kref lookup pattern.
//
// An object is published in a table. Its last reference's release function unpublishes it under
// the table lock before freeing it, so a worker that finds it published under the lock may take a
// reference with tryget (kref_get_unless_zero). With that reference the worker uses the object,
// lets its own device DMA into it, quiesces the device and drops the reference. An owner thread
// drops the initial reference. The family is safe, so every size explores its whole state space.

export interface FamilySize {
  workers: number;
  iterations: number;
  /** The first `extra` workers run one more iteration, for sizes between K and K+1 iterations. */
  extra?: number;
}

/** `4x2`, or `5x2+2` when two workers run a third iteration. */
export function familyLabel(size: FamilySize): string {
  return `${size.workers}x${size.iterations}${size.extra ? `+${size.extra}` : ''}`;
}

/** The `.lifetime` text of the family member with `workers` threads of `iterations` rounds. */
export function familyModel(size: FamilySize): string {
  const { workers, iterations } = size;
  const extra = size.extra ?? 0;
  const lines: string[] = [
    `model kref_lookup_${familyLabel(size).replace('+', '_')} "${workers} workers x ${iterations} lookups"`,
    '',
    'object obj {',
    '  ref refs = 1 on zero { lock table.mutex; clear table.published; unlock table.mutex; free obj }',
    '}',
    'static table { lock mutex; flag published = true }',
  ];
  for (let w = 0; w < workers; w++) lines.push(`device dev${w} stopped { dma obj }`);
  lines.push('', 'thread owner { put obj.refs }');
  for (let w = 0; w < workers; w++) {
    lines.push(
      `thread worker${w} {`,
      `  repeat ${iterations + (w < extra ? 1 : 0)} {`,
      '    lock table.mutex',
      '    if table.published {',
      '      if tryget obj.refs {',
      '        unlock table.mutex',
      '        use obj',
      `        start dev${w}`,
      `        quiesce dev${w}`,
      '        put obj.refs',
      '      } else {',
      '        unlock table.mutex',
      '      }',
      '    } else {',
      '      unlock table.mutex',
      '    }',
      '  }',
      '}',
    );
  }
  lines.push('', 'expect baseline: safe', '');
  return lines.join('\n');
}
