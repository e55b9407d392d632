import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="card empty" data-testid="not-found">
      <h1>Not found</h1>
      <p className="subtitle">There is no page at this address.</p>
      <Link href="/">Back to the chart</Link>
    </section>
  );
}
