/**
 * The chart and table selectors, kept in the URL so a view can be shared. Every selector holds
 * exactly one value: a speed/top-1 plot that mixes devices or batch sizes compares nothing.
 * Values that are not in the database are replaced by a valid one and reported, never thrown:
 * a stale shared link must still open a page.
 */

export const FILTER_KEYS = ['dataset', 'profile', 'device', 'runtime', 'backend', 'precision', 'batch', 'resolution'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export const FILTER_LABELS: Record<FilterKey, string> = {
  dataset: 'Dataset',
  profile: 'Recipe profile',
  device: 'Device',
  runtime: 'Runtime',
  backend: 'Backend',
  precision: 'Precision',
  batch: 'Batch',
  resolution: 'Resolution',
};

/** Which training runs to show: the USI (KD) results, the baseline (no KD) ones, or both with arrows. */
export const SHOWN = ['usi', 'baseline', 'both'] as const;
export type Shown = (typeof SHOWN)[number];

/** The values the database holds for each selector, most relevant first (the default is the first). */
export type FilterOptions = Record<FilterKey, string[]>;
/** One value per selector; null only when the database holds no value at all for it. */
export type Selection = Record<FilterKey, string | null>;

export interface ParsedFilters {
  selection: Selection;
  variant: Shown;
  /** Human-readable notes about URL values that were replaced. */
  notices: string[];
}

export type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

const MAX_ECHO = 40;

/** Quotes a user-supplied value for a message, cut short so a hostile URL cannot flood the page. */
export function quoteValue(value: string): string {
  const cut = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  return `“${cut}”`;
}

function firstParam(params: RawParams, key: string): { value: string | undefined; repeated: boolean } {
  if (params instanceof URLSearchParams) {
    const all = params.getAll(key);
    return { value: all[0], repeated: all.length > 1 };
  }
  const raw = params[key];
  if (Array.isArray(raw)) return { value: raw[0], repeated: raw.length > 1 };
  return { value: raw, repeated: false };
}

function listValues(values: string[]): string {
  const shown = values.slice(0, 8).join(', ');
  return values.length > 8 ? `${shown}, …` : shown;
}

/**
 * `defaults` is the view shown for a selector the URL leaves out (the site passes the protocol of
 * the newest result, so the home page opens on last night's numbers); a default that is not
 * available falls back to the first available value.
 */
export function parseFilters(params: RawParams, options: FilterOptions, defaults: Partial<Selection> = {}): ParsedFilters {
  const notices: string[] = [];
  const selection = {} as Selection;
  for (const key of FILTER_KEYS) {
    const available = options[key];
    const preferred = defaults[key];
    const fallback = preferred != null && available.includes(preferred) ? preferred : (available[0] ?? null);
    const { value, repeated } = firstParam(params, key);
    if (repeated) notices.push(`${FILTER_LABELS[key]} was given more than once in the URL; using the first value.`);
    if (value === undefined || value === '') {
      selection[key] = fallback;
    } else if (available.includes(value)) {
      selection[key] = value;
    } else {
      selection[key] = fallback;
      notices.push(
        available.length === 0
          ? `${FILTER_LABELS[key]} ${quoteValue(value)} is not in the database, which holds no ${FILTER_LABELS[key].toLowerCase()} values yet.`
          : `${FILTER_LABELS[key]} ${quoteValue(value)} is not in the database; showing ${quoteValue(fallback ?? '')} instead (available: ${listValues(available)}).`,
      );
    }
  }
  const { value: rawVariant } = firstParam(params, 'variant');
  const variant = shownFromUrl(rawVariant);
  if (rawVariant !== undefined && rawVariant !== '' && variant !== rawVariant) {
    notices.push(`Variant ${quoteValue(rawVariant)} is unknown; showing USI results (choose usi, baseline or both).`);
  }
  return { selection, variant, notices };
}

/**
 * The variant a URL's first `variant` value names (USI when missing or unknown): parseFilters and
 * the browser's toggle both read it here, so they cannot disagree.
 */
export function shownFromUrl(value: string | null | undefined): Shown {
  return value != null && (SHOWN as readonly string[]).includes(value) ? (value as Shown) : 'usi';
}

/**
 * The query string for a view. Values equal to the default are still written, so a shared link
 * keeps meaning the same view after new datasets or devices appear in the database.
 */
export function selectionToQuery(selection: Selection, variant: Shown, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = selection[key];
    if (v !== null) q.set(key, v);
  }
  if (variant !== 'usi') q.set('variant', variant);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** One protocol the database holds results for: a value for every selector. */
export type Combination = Record<FilterKey, string>;

/**
 * The selection after the user sets `key` to `value`: the other selectors keep their values when
 * that combination has results, otherwise move to the stored combination that keeps the most of
 * them (earlier selectors weigh more), so a change never lands on an empty chart it could avoid.
 */
export function reconcile(selection: Selection, key: FilterKey, value: string, combos: readonly Combination[]): Selection {
  const candidates = combos.filter((c) => c[key] === value);
  if (candidates.length === 0) return { ...selection, [key]: value };
  let best = candidates[0];
  let bestScore = -1;
  for (const c of candidates) {
    let score = 0;
    FILTER_KEYS.forEach((k, i) => {
      if (c[k] === selection[k]) score += 2 ** (FILTER_KEYS.length - i);
    });
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return { ...best };
}
