// The number of things waiting in 待办, shown beside the menu entry; refreshed by the inbox page
// and when the layout opens.
import { ref } from 'vue';
import { getInbox } from '../api/inbox';

export const inboxCount = ref(0);

export function refreshInboxCount(total) {
  if (typeof total === 'number') {
    inboxCount.value = total;
    return Promise.resolve(total);
  }
  return getInbox()
    .then((answer) => {
      inboxCount.value = answer.total;
      return answer.total;
    })
    .catch(() => inboxCount.value);
}
