"""数据统计: measures of a community or a street over a period, for secretaries and admins."""
