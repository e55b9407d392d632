'use client';
/**
 * The last line of defence: any server error becomes this message. In production Next.js sends
 * only a digest to the browser, never the stack; the digest matches the server log line.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="card empty" data-testid="error">
      <h1>This page could not be shown</h1>
      <p className="subtitle">
        The server hit an error while reading the results{error.digest ? ` (reference ${error.digest}, also in the server log)` : ''}.
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
