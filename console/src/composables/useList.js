// A paginated list with its loading, empty and error states, for the pages' tables.
import { reactive, ref } from 'vue';

export function useList(fetchPage, { pageSize = 10 } = {}) {
  const items = ref([]);
  const loading = ref(false);
  const error = ref(null);
  const pagination = reactive({ current: 1, pageSize, total: 0, showPageSize: false });
  let latest = 0;

  async function load() {
    const call = (latest += 1);
    loading.value = true;
    error.value = null;
    try {
      const result = await fetchPage({ page: pagination.current, page_size: pagination.pageSize });
      if (call !== latest) return;
      items.value = result.items;
      pagination.total = result.total;
    } catch (err) {
      if (call !== latest) return;
      error.value = err;
      items.value = [];
    } finally {
      if (call === latest) loading.value = false;
    }
  }

  function onPageChange(pageInfo) {
    pagination.current = pageInfo.current;
    pagination.pageSize = pageInfo.pageSize;
    load();
  }

  /** From the first page again (after a filter changed). */
  function reload() {
    pagination.current = 1;
    return load();
  }

  return { items, loading, error, pagination, load, reload, onPageChange };
}
