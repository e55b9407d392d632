/**
 * Downloads of exactly the rows the table shows: the same URL query (selectors, variant, sort) goes
 * through the same loadView and sortRows, then through db/export's formatters, the code behind
 * `usibench export`.
 */
import { EXPORT_EXTENSION, EXPORT_FORMATS, EXPORT_MIME, formatRows, type ExportFormat } from '../../db/export/index.js';
import { parseSort, sortRows } from '../lib/sort.js';
import { loadView } from '../lib/view.js';

export const dynamic = 'force-dynamic';

function plain(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** A file name built only from safe characters, whatever the database's values hold. */
function fileName(parts: Array<string | null>, ext: string): string {
  const stem = ['usibench', ...parts.filter((p): p is string => Boolean(p))].join('-').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  return `${stem}.${ext}`;
}

export function GET(request: Request): Response {
  const params = new URL(request.url).searchParams;
  const format = params.get('format') ?? '';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    return plain(400, `Unknown export format “${format.slice(0, 40)}”; use format=${EXPORT_FORMATS.join(', format=')}.`);
  }
  const view = loadView(params);
  if (view.kind === 'unavailable') return plain(503, view.db.message);
  if (view.kind === 'empty') return plain(404, `The database ${view.path} holds no benchmark results; run usibench nightly --preset quick first.`);
  const { spec } = parseSort(params.get('sort') ?? undefined, params.get('dir') ?? undefined);
  const rows = sortRows(view.rows, spec);
  const f = format as ExportFormat;
  const s = view.selection;
  const name = fileName([s.dataset, s.runtime, s.backend, s.precision, s.batch && `b${s.batch}`, s.resolution && `r${s.resolution}`, view.variant], EXPORT_EXTENSION[f]);
  return new Response(formatRows(rows, f), {
    headers: { 'content-type': EXPORT_MIME[f], 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
  });
}
