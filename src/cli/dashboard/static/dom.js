// Builds elements with text set as text, never as HTML: messages in a
// Rollout's status quote webhook answers and Events, which tenants control.

/** h('td', { class: 'x', dataset: { field: 'phase' } }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** "14:03:27" in the browser's time zone. */
export function clock(time) {
  return new Date(time).toLocaleTimeString([], { hour12: false });
}

/** An age as kubectl prints it, coarsely: "45s", "5m", "3h", "2d". */
export function age(time, now = Date.now()) {
  if (!time) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(time)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}
