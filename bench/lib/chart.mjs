// A small SVG bar chart, no dependency: groups of horizontal bars with their values.

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#c53030', '#4a5568'];

/**
 * panels: [{ title, unit, groups: [{ label, bars: [{ label, value }] }] }], side by side vertically.
 * Each bar is coloured by its label, the same label the same colour in every panel.
 */
export function barChart(panels, { width = 860 } = {}) {
  const labelWidth = 250;
  const barArea = width - labelWidth - 90;
  const barHeight = 14;
  const colors = new Map();
  const colorOf = (label) => {
    if (!colors.has(label)) colors.set(label, COLORS[colors.size % COLORS.length]);
    return colors.get(label);
  };
  const parts = [];
  let y = 10;
  for (const panel of panels) {
    parts.push(`<text x="10" y="${y + 14}" font-size="15" font-weight="bold">${escape(panel.title)}</text>`);
    y += 26;
    const max = Math.max(...panel.groups.flatMap((group) => group.bars.map((bar) => bar.value)).filter(Number.isFinite), 1);
    for (const group of panel.groups) {
      parts.push(`<text x="10" y="${y + 11}" font-size="12" fill="#333" font-style="italic">${escape(group.label)}</text>`);
      y += 16;
      for (const bar of group.bars) {
        const length = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * barArea) : 0;
        parts.push(`<text x="${labelWidth - 6}" y="${y + 11}" font-size="11" text-anchor="end">${escape(bar.label)}</text>`);
        parts.push(`<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${colorOf(bar.label)}"/>`);
        const value = Number.isFinite(bar.value) ? `${Math.round(bar.value).toLocaleString('en-US')} ${panel.unit}` : 'failed';
        parts.push(`<text x="${(labelWidth + length + 5).toFixed(1)}" y="${y + 11}" font-size="11">${escape(value)}</text>`);
        y += barHeight + 3;
      }
      y += 6;
    }
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}
