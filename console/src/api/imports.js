// 数据导入: Excel templates, upload for a preview (nothing written), confirm.
import { download, get, getPage, post, upload } from './request';

export const TEMPLATE_NAMES = {
  buildings: '楼栋导入模板.xlsx',
  units: '单位导入模板.xlsx',
  roster: '在职党员名册导入模板.xlsx',
};

export const downloadTemplate = (kind, query) =>
  download(`/imports/templates/${kind}.xlsx`, query, TEMPLATE_NAMES[kind]);

/** Uploads a file for a preview; fields: kind and its place (community_id / street_id). */
export function uploadImport(file, fields, onProgress) {
  const form = new FormData();
  form.append('file', file);
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== '') form.append(name, value);
  }
  return upload('/imports', form, onProgress);
}

export const listImports = (query) => getPage('/imports', query);

export const getImport = (id) => get(`/imports/${id}`);

export const confirmImport = (id) => post(`/imports/${id}/confirm`, {});
