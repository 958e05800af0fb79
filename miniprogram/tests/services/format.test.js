const format = require('../../utils/format');

test('dates are shown in Beijing time whatever the offset of the input', () => {
  expect(format.formatDateTime('2026-11-23T01:30:00Z')).toBe('2026-11-23 09:30');
  expect(format.formatDateTime('2026-11-23T23:30:00+08:00')).toBe('2026-11-23 23:30');
  expect(format.formatDate('2026-11-22T16:00:00Z')).toBe('2026-11-23');
  expect(format.formatDateCn('2026-11-23T09:00:00+08:00')).toBe('2026年11月23日 周一');
  expect(format.formatDateTime('')).toBe('');
});

test('greeting follows the hour in Beijing', () => {
  expect(format.greeting(new Date('2026-11-23T00:30:00Z'))).toBe('早上好');
  expect(format.greeting(new Date('2026-11-23T12:00:00Z'))).toBe('晚上好');
});

test('member types and registration statuses have Chinese labels', () => {
  expect(format.MEMBER_TYPES.map((t) => t.value)).toEqual(['in_service', 'direct', 'retired', 'floating']);
  expect(format.memberTypeLabel('retired')).toBe('离退休党员');
  expect(format.registrationStatus('submitted').label).toBe('待审核');
  expect(format.registrationStatus('approved').label).toBe('已报到');
  expect(format.registrationStatus('rejected').label).toBe('未通过');
});
