// Telling the person what happened: the API's Chinese message as is.
import { MessagePlugin } from 'tdesign-vue-next';

export function showError(error) {
  MessagePlugin.error({ content: error && error.message ? error.message : '操作失败，请重试', duration: 5000 });
}

export function showSuccess(text) {
  MessagePlugin.success(text);
}
