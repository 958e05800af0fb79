// Showing values: times arrive in Asia/Shanghai (+08:00) and are shown as they are.

/** "2026-12-02T16:40:05+08:00" → "2026-12-02 16:40". */
export function formatTime(value) {
  if (!value) return '—';
  return String(value).slice(0, 16).replace('T', ' ');
}

export function formatSeconds(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
