'use client';
import { usePathname, useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { FILTER_KEYS, FILTER_LABELS, reconcile, selectionToQuery, type Combination, type FilterOptions, type Selection, type Shown } from '../lib/filters.js';

export interface FilterBarProps {
  options: FilterOptions;
  combos: Combination[];
  selection: Selection;
  variant: Shown;
  /** Other query parameters of the page to keep (e.g. the table's sort). */
  keep?: Record<string, string>;
  /** Answers the training toggle in the page (which updates the URL itself) instead of navigating. */
  onVariant?: (variant: Shown) => void;
}

const SHOWN_LABELS: Record<Shown, string> = { usi: 'USI', baseline: 'Baseline', both: 'Both + gains' };

/** The selectors. Each change navigates (or, for the toggle, updates the URL), so the URL always names the view and can be shared. */
export default function FilterBar({ options, combos, selection, variant, keep = {}, onVariant }: FilterBarProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();

  const go = (next: Selection, nextVariant: Shown) => {
    startTransition(() => router.push(`${pathname}?${selectionToQuery(next, nextVariant, keep)}`, { scroll: false }));
  };

  return (
    <form className={`card filters${pending ? ' pending' : ''}`} aria-busy={pending} data-testid="filters" onSubmit={(e) => e.preventDefault()}>
      {FILTER_KEYS.map((key) => (
        <label key={key}>
          {FILTER_LABELS[key]}
          <select
            name={key}
            value={selection[key] ?? ''}
            disabled={options[key].length < 2}
            onChange={(e) => go(reconcile(selection, key, e.target.value, combos), variant)}
          >
            {options[key].length === 0 && <option value="">—</option>}
            {options[key].map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
      ))}
      <label>
        Training
        <span className="segmented" role="group" aria-label="Training runs shown">
          {(Object.keys(SHOWN_LABELS) as Shown[]).map((v) => (
            <button key={v} type="button" name="variant" value={v} aria-pressed={v === variant} onClick={() => (onVariant ? onVariant(v) : go(selection, v))}>
              {SHOWN_LABELS[v]}
            </button>
          ))}
        </span>
      </label>
    </form>
  );
}
