/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A `<table>` from a header row and body rows of already-escaped cell HTML; `numeric` columns align right. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], className: string, numeric: readonly number[] = []): string {
  const head = `<tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>`;
  const cell = (c: string, i: number): string => (numeric.includes(i) ? `<td class="num">${c}</td>` : `<td>${c}</td>`);
  const body = rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n');
  return `<table class="${escapeHtml(className)}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Inline stylesheet: the report must render with no network access. */
export const REPORT_CSS = `
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.pair { border: 1px solid #ddd; padding: 6px; } .pair img { width: 48%; image-rendering: pixelated; }
.pair .key { font-family: monospace; font-size: 0.85em; word-break: break-all; }
.warning { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 0.85em; }
`;
