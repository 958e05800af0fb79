// 待回执: the feedback sheets sent to my unit and not yet acknowledged — the console's notice to a
// unit secretary that a sheet has come (or been reminded), shown beside the 反馈单 menu entry.
import { ref } from 'vue';
import { listSheets } from '../api/feedbackSheets';

export const awaitingCount = ref(0);
export const remindedCount = ref(0);

export function refreshAwaiting() {
  return listSheets({ status: 'sent' })
    .then((sheets) => {
      awaitingCount.value = sheets.length;
      remindedCount.value = sheets.filter((s) => s.reminders > 0).length;
      return sheets.length;
    })
    .catch(() => awaitingCount.value);
}
