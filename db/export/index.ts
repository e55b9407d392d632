/**
 * Tables for papers and scripts, rendered from result rows by pure formatters: the CLI's
 * `usibench export` and the site's download buttons both call `formatRows`.
 */
import { UsageError } from '../../common/errors.js';
import type { ResultRow } from '../queries.js';
import { toExportRow } from './columns.js';
import { formatCsv } from './csv.js';
import { formatLatex } from './latex.js';
import { formatMarkdown } from './markdown.js';

export const EXPORT_FORMATS = ['csv', 'md', 'latex', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_MIME: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  latex: 'application/x-latex; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export const EXPORT_EXTENSION: Record<ExportFormat, string> = { csv: 'csv', md: 'md', latex: 'tex', json: 'json' };

export function parseExportFormat(value: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new UsageError(`unknown export format '${value}'; use one of ${EXPORT_FORMATS.join(', ')}`);
}

/** Renders rows in one format. JSON holds exactly the exported records (timm units), one per row. */
export function formatRows(rows: readonly ResultRow[], format: ExportFormat): string {
  const records = rows.map(toExportRow);
  switch (format) {
    case 'csv':
      return formatCsv(records);
    case 'md':
      return formatMarkdown(records);
    case 'latex':
      return formatLatex(records);
    case 'json':
      return `${JSON.stringify(records, null, 2)}\n`;
  }
}

export { EXPORT_COLUMNS, toExportRow, type ExportRow } from './columns.js';
export { csvField } from './csv.js';
export { latexEscape } from './latex.js';
