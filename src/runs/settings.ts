import * as vscode from 'vscode';
import type { SpanPattern } from '../engine';
import { DEFAULT_TIERS } from '../engine/compare/tiers';
import type { TierInfo } from '../protocol';
import { DEFAULT_SYSTEM_PATTERNS, type SystemFilter } from '../views/system-files';

/** The extension's settings, read fresh each time (they can change while VS Code runs). */
export function readSettings() {
  const c = vscode.workspace.getConfiguration('dftrace');
  const tiers = c
    .get<TierInfo[]>('storageTiers', [...DEFAULT_TIERS])
    .filter((t) => t && t.pattern && t.label);
  const spanPattern: SpanPattern = {
    name: c.get<string>('checkpoint.namePattern', '') || '^$',
    cats: c.get<string[]>('checkpoint.categories', []),
  };
  return {
    tiers,
    spanPattern,
    slowPercentile: c.get<number>('slowWrites.percentile', 99),
    slowThresholdUs: c.get<number>('slowWrites.thresholdMicroseconds', 0),
    workers: c.get<number>('workers', 0),
    cacheDirectory: c.get<string>('cacheDirectory', ''),
    systemFiles: {
      hide: c.get<boolean>('hideSystemFiles', true),
      patterns: c.get<string[]>('systemFilePatterns', DEFAULT_SYSTEM_PATTERNS),
    } satisfies SystemFilter,
  };
}

export type Settings = ReturnType<typeof readSettings>;

/** Is a regular expression the user typed usable? (a bad one must not break parsing) */
export function validPattern(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
