// 志愿服务记录证明: the certificates a community issued, issuing one for a member, revoking one,
// the PDF, and the issuing organisation's name.
import { download, get, post, put } from './request';

export const listCertificates = (communityId, query) => get(`/communities/${communityId}/certificates`, query);
/** body: {period_start?, period_end?} (dates "YYYY-MM-DD"; none: all service up to today). */
export const issueCertificate = (memberId, body) => post(`/members/${memberId}/certificates`, body);
export const revokeCertificate = (id, reason) => post(`/certificates/${id}/revoke`, { reason });
export const downloadPdf = (row) => download(`/certificates/${row.id}/pdf`, {}, `志愿服务记录证明-${row.number}.pdf`);
export const getIssuer = (communityId) => get(`/communities/${communityId}/certificate-issuer`);
export const setIssuer = (communityId, name) =>
  put(`/communities/${communityId}/certificate-issuer`, { party_org_name: name });
