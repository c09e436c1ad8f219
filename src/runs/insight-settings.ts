import * as vscode from 'vscode';
import { DEFAULT_THRESHOLDS, type InsightOptions, type InsightThresholds } from '../engine/insights';
import { readSettings } from './settings';

/** The insight rules' options from the settings: tiers, checkpoint pattern, and `dftrace.insights.*` thresholds. */
export function insightOptions(): InsightOptions {
  const s = readSettings();
  const c = vscode.workspace.getConfiguration('dftrace.insights');
  const thresholds: Partial<InsightThresholds> = {};
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof InsightThresholds)[]) {
    const v = c.get<number>(key);
    if (typeof v === 'number' && Number.isFinite(v)) thresholds[key] = v;
  }
  return { tiers: s.tiers, checkpointPattern: s.spanPattern, thresholds };
}
