import { fmtCount, fmtUs } from '../../src/engine/format';
import { h, icon } from './dom';

/**
 * Says how many of the runtime's files (/proc, /sys, /dev, shared libraries, …) a view leaves out and how much I/O
 * time they took, with one click to show them (and to hide them again). Nothing when there are none.
 */
export function systemNote(
  files: number,
  durUs: number,
  hidden: boolean,
  toggle: () => void,
): HTMLElement | null {
  if (files === 0) return null;
  const what = `${fmtCount(files)} system ${files === 1 ? 'file' : 'files'}`;
  const button = h(
    'button',
    { class: 'link', 'data-testid': 'system-toggle', onclick: toggle },
    hidden ? 'Show them' : 'Hide them',
  );
  return h(
    'p',
    {
      class: 'muted system-note',
      'data-testid': 'system-note',
      'data-files': files,
      title:
        'Files of /proc, /sys, /dev (not /dev/shm), /etc, /usr and shared libraries (setting dftrace.hideSystemFiles)',
    },
    icon(hidden ? 'eye-closed' : 'eye'),
    hidden
      ? ` ${what} hidden (${fmtUs(durUs)} of I/O time). `
      : ` Showing ${what} (${fmtUs(durUs)} of I/O time). `,
    button,
  );
}
