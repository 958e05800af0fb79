"""The volunteer-service certificate (志愿服务记录证明): issue, download, revoke, verify."""
