import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'usibench — speed vs top-1',
  description: 'Speed–accuracy Pareto front of image-classification backbones trained with one unified KD recipe (USI).',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            usibench
          </Link>
          <nav>
            <Link href="/">Chart</Link>
            <Link href="/table">Table</Link>
            <Link href="/runs">Runs</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
