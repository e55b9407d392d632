import { PAPER_COLUMNS, STATISTICS_NOTE, paperCell, protocolLine, type ExportRow } from './columns.js';

/** A pipe or line break inside a cell would end it early in GitHub's table syntax. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function formatMarkdown(rows: readonly ExportRow[]): string {
  const head = `| ${PAPER_COLUMNS.map((c) => c.header).join(' | ')} |`;
  const rule = `|${PAPER_COLUMNS.map((c) => (c.align === 'r' ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = rows.map((r) => `| ${PAPER_COLUMNS.map((c) => mdCell(paperCell(r, c.col) + (c.col === 'model' && r.frontier ? ' ★' : ''))).join(' | ')} |`);
  const notes = [`Protocol: ${mdCell(protocolLine(rows))}.`, '★ on the speed/top-1 Pareto front. Top-1/top-5 in %, USI gain in points over the same recipe without KD.', mdCell(STATISTICS_NOTE)];
  return `${[head, rule, ...body].join('\n')}\n\n${notes.join('\n')}\n`;
}
