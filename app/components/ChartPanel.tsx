'use client';
/**
 * The chart page below the top bar. The server sends both variants' points of the selection, so
 * the USI / baseline / both toggle is answered here, without a server round trip; it still writes
 * the URL (history.pushState, which Next's router follows), so the view stays shareable and the
 * back button undoes it. The other selectors change the rows and navigate (see FilterBar).
 */
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { selectionToQuery, shownFromUrl, type Combination, type FilterOptions, type Selection, type Shown } from '../lib/filters.js';
import { shownPoints, unpackPoints, type PackedPoints, type Variant } from '../lib/points.js';
import ChartView from './ChartView.js';
import FilterBar from './FilterBar.js';
import Notices from './Notices.js';

export interface ChartPanelProps {
  points: PackedPoints;
  /** USI and baseline results of the selection that have no top-1 or throughput. */
  skipped: Record<Variant, number>;
  options: FilterOptions;
  combos: Combination[];
  selection: Selection;
  notices: string[];
  title: string;
}

export default function ChartPanel({ points: packed, skipped, options, combos, selection, notices, title }: ChartPanelProps) {
  const pathname = usePathname();
  const variant = shownFromUrl(useSearchParams().get('variant'));
  const all = useMemo(() => unpackPoints(packed), [packed]);
  const points = useMemo(() => shownPoints(all, variant), [all, variant]);
  const onFront = points.filter((p) => p.onFront).length;
  const notShown = variant === 'both' ? skipped.usi + skipped.baseline : skipped[variant];

  const showVariant = (next: Shown) => {
    window.history.pushState(null, '', `${pathname}?${selectionToQuery(selection, next)}`);
  };

  return (
    <>
      <h1>Speed vs top-1</h1>
      <p className="subtitle">
        Newest result per backbone and protocol; dashed line: the Pareto front of the mean top-1 ({onFront} of {points.length} results). Click a point for its model page.{' '}
        <Link href={`/table?${selectionToQuery(selection, variant)}`}>Same rows as a table →</Link>
      </p>
      <FilterBar options={options} combos={combos} selection={selection} variant={variant} onVariant={showVariant} />
      <Notices notices={notices} />
      {points.length === 0 ? (
        <section className="card empty" data-testid="no-points">
          <h2>No results for this selection</h2>
          <p className="subtitle">
            Nothing was measured under {title}
            {variant !== 'usi' ? ` for the ${variant === 'both' ? 'USI or baseline' : 'baseline'} runs` : ''}. Pick another value above.
          </p>
        </section>
      ) : (
        <section className="card">
          <ChartView points={points} showGains={variant === 'both'} title={title} />
          <p className="subtitle" data-testid="chart-caption">
            Top-1 is the mean over seeds; bars are 95% intervals (top-1: Student t over seeds, none with one seed; speed: over the timed iterations). The
            Pareto front is computed on the means.
            {variant === 'both' && ' Dotted arrows with open heads: gains whose paired 95% interval contains 0 (not significant).'}
          </p>
          {notShown > 0 && <p className="subtitle">{notShown} result(s) without a top-1 or a throughput are listed in the table, not plotted.</p>}
        </section>
      )}
    </>
  );
}
