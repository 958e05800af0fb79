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

/** "2026-12-05 09:00" (Shanghai, as typed) → "2026-12-05T09:00:00+08:00" for the API. */
export function toApiTime(value) {
  if (!value) return null;
  const text = String(value).trim().replace(' ', 'T');
  const withSeconds = /T\d{2}:\d{2}$/.test(text) ? `${text}:00` : text;
  return /[+-]\d{2}:\d{2}$|Z$/.test(withSeconds) ? withSeconds : `${withSeconds}+08:00`;
}
