'use client';
/** Replaces the root layout when it fails itself; must render its own html and body. */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
        <h1>usibench could not render this page</h1>
        <p>{error.digest ? `Reference ${error.digest} (see the server log).` : 'See the server log.'}</p>
      </body>
    </html>
  );
}
