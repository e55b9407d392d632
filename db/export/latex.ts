import { PAPER_COLUMNS, STATISTICS_NOTE, paperCell, protocolLine, type ExportRow } from './columns.js';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Escapes the ten characters LaTeX treats specially, one character at a time so replacements are not re-escaped. */
export function latexEscape(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIALS[ch]).replace(/–/g, '--').replace(/±/g, '$\\pm$').replace(/−/g, '$-$');
}

/** A booktabs table (needs \usepackage{booktabs}); the caption carries the measurement protocol. */
export function formatLatex(rows: readonly ExportRow[]): string {
  const spec = PAPER_COLUMNS.map((c) => c.align).join('');
  const lines = [
    '\\begin{table}[t]',
    '\\centering',
    '\\small',
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    `${PAPER_COLUMNS.map((c) => latexEscape(c.header)).join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((r) => `${PAPER_COLUMNS.map((c) => {
      const text = latexEscape(paperCell(r, c.col));
      return c.col === 'model' && r.frontier ? `\\textbf{${text}}` : text;
    }).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    `\\caption{Speed and top-1 accuracy (\\%) of backbones trained with the USI recipe. Protocol: ${latexEscape(protocolLine(rows))}. Bold: on the speed/top-1 Pareto front; USI gain in points over the same recipe without knowledge distillation. ${latexEscape(STATISTICS_NOTE)}}`,
    '\\label{tab:usibench}',
    '\\end{table}',
  ];
  return `${lines.join('\n')}\n`;
}
