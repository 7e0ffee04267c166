// Charts drawn as plain SVG: no library to ship, attributes only (the page's CSP allows no inline styles), colours from
// the stylesheet so they follow the theme. Each chart has its numbers beside it as a table, for screen readers and
// for anyone who wants the figures.
import { h } from './ui.js';
import { bytes } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 150;
const TOP = 6;
const BOTTOM = 2;

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** "18:00" for hours, "1 Dec" for days: the label of a bucket's start. */
export function bucketLabel(iso, step) {
  const date = new Date(iso);
  return step === 'hour'
      ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : date.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

/**
 * Traffic per bucket as bars. With a limit, also the usage of the current period as it grew (what was used at
 * the end of each bucket: today's total less what came after) and the limit as a dashed line on that scale.
 *
 * @param usage the API's answer, {step, points: [{t, bytes}]}
 * @param used the current period's usage, for the running total; limit 0 or absent: no limit line
 */
export function usageChart({ caption, usage, used, limit }) {
  const points = usage.points;
  const peak = Math.max(1, ...points.map(point => point.bytes));
  const total = points.reduce((sum, point) => sum + point.bytes, 0);
  const slot = WIDTH / Math.max(1, points.length);
  const plot = HEIGHT - TOP - BOTTOM;
  const bars = points.map((point, i) => {
    const height = point.bytes === 0 ? 0 : Math.max(1, (point.bytes / peak) * plot);
    return s('rect', { class: 'chart-bar', x: (i * slot + slot * 0.15).toFixed(1), y: (TOP + plot - height).toFixed(1),
      width: (slot * 0.7).toFixed(1), height: height.toFixed(1) },
    s('title', {}, `${bucketLabel(point.t, usage.step)}: ${bytes(point.bytes)}`));
  });
  const running = runningTotals(points, used);
  const overlay = [];
  if (limit > 0) {
    const top = Math.max(limit, ...running) * 1.05;
    const y = value => (TOP + plot - (value / top) * plot).toFixed(1);
    overlay.push(
        s('line', { class: 'chart-limit', x1: 0, x2: WIDTH, y1: y(limit), y2: y(limit) }),
        s('polyline', { class: 'chart-used', points: running.map((value, i) => `${(i * slot + slot / 2).toFixed(1)},${y(value)}`).join(' ') }));
  }
  const summary = `${caption}: ${bytes(total)} in all, at most ${bytes(points.length ? Math.max(...points.map(p => p.bytes)) : 0)} per ${usage.step}`
      + (limit > 0 ? `; ${bytes(used)} of the ${bytes(limit)} limit used` : '');
  // Stretched to the width it is given, so it holds no text: the labels are HTML around it.
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary, preserveAspectRatio: 'none', class: 'chart-svg' },
      s('line', { class: 'chart-axis', x1: 0, x2: WIDTH, y1: TOP + plot, y2: TOP + plot }),
      bars, overlay);
  const first = points.length ? bucketLabel(points[0].t, usage.step) : '';
  const last = points.length ? bucketLabel(points[points.length - 1].t, usage.step) : '';
  return h('figure', { class: 'chart', 'data-testid': 'usage-chart', 'data-total': total },
      h('figcaption', {}, caption, ' ', h('span', { class: 'muted' }, `· ${bytes(total)}`)),
      svg,
      h('div', { class: 'chart-axis-labels' }, h('span', {}, first),
          h('span', {}, `bars: traffic per ${usage.step}, highest ${bytes(total === 0 ? 0 : peak)}`,
              limit > 0 ? h('span', { class: 'chart-legend-used' }, ` · used so far, against the ${bytes(limit)} limit (dashed)`) : null),
          h('span', {}, last)),
      numbers(usage, limit > 0 ? running : null));
}

/** Usage at the end of each bucket, in the period that ends with {@code used} now; never below 0. */
function runningTotals(points, used) {
  const totals = new Array(points.length);
  let later = 0;
  for (let i = points.length - 1; i >= 0; i--) {
    totals[i] = Math.max(0, used - later);
    later += points[i].bytes;
  }
  return totals;
}

/** The chart's numbers as a table, folded away until asked for. */
function numbers(usage, running) {
  return h('details', { class: 'chart-numbers' },
      h('summary', {}, 'Numbers'),
      h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, usage.step === 'hour' ? 'Hour' : 'Day'), h('th', { scope: 'col' }, 'Traffic'),
              running ? h('th', { scope: 'col' }, 'Used by then') : null)),
          h('tbody', {}, usage.points.map((point, i) => h('tr', {},
              h('td', {}, bucketLabel(point.t, usage.step)), h('td', {}, bytes(point.bytes)), running ? h('td', {}, bytes(running[i])) : null)))));
}

/**
 * A device's status over a window as coloured bands: online, offline, pending. {@code changes} is the status log
 * (newest first or not: it is sorted here), {@code current} the status now.
 */
export function statusTimeline({ changes, current, from, to }) {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const sorted = [...changes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const before = sorted.filter(change => Date.parse(change.at) <= start).pop();
  const inside = sorted.filter(change => Date.parse(change.at) > start && Date.parse(change.at) < end);
  let status = before ? before.status : inside.length ? inside[0].previous_status : current;
  let at = start;
  const segments = [];
  for (const change of inside) {
    segments.push({ status, from: at, to: Date.parse(change.at) });
    status = change.status;
    at = Date.parse(change.at);
  }
  segments.push({ status, from: at, to: end });
  const x = time => ((time - start) / (end - start)) * WIDTH;
  const label = segments.map(segment => `${segment.status} from ${new Date(segment.from).toLocaleString()}`).join('; ');
  return h('figure', { class: 'chart', 'data-testid': 'status-timeline' },
      h('figcaption', {}, 'Online and offline, last 24 hours'),
      s('svg', { viewBox: `0 0 ${WIDTH} 24`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none', class: 'timeline-svg' },
          segments.map(segment => s('rect', { class: `timeline-${segment.status}`, x: x(segment.from).toFixed(1), y: 0,
            width: Math.max(0.5, x(segment.to) - x(segment.from)).toFixed(1), height: 24 },
          s('title', {}, `${segment.status} from ${new Date(segment.from).toLocaleString()}`)))));
}
