import type { Selection } from './filters.js';

/** One line naming the protocol a view's numbers were measured under. */
export function protocolTitle(s: Selection): string {
  const parts = [
    s.dataset,
    s.profile ? `${s.profile} profile` : null,
    s.runtime && s.backend ? `${s.runtime}/${s.backend}` : (s.runtime ?? s.backend),
    s.precision,
    s.batch !== null ? `batch ${s.batch}` : null,
    s.resolution !== null ? `${s.resolution}×${s.resolution} px` : null,
    s.device,
  ];
  return parts.filter((p): p is string => Boolean(p)).join(' · ');
}
