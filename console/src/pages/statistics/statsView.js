// What the statistics page shows of an answer: the KPI tiles and the chart panels, each panel
// with the numbers of its table. A measure that does not apply to the place (a grid has no
// roster, a unit no buildings) is null and shown as 不适用.

const NA = '不适用';
const pct = (v) => (v === null || v === undefined ? NA : `${v}%`);
const num = (v) => (v === null || v === undefined ? NA : v);

export const SCOPE_LABELS = { district: '全区', street: '全街道', community: '社区', grid: '网格', unit: '单位' };

export function kpis(stats) {
  const t = stats.totals;
  const grid = stats.scope === 'grid';
  const unit = stats.scope === 'unit';
  return [
    { key: 'reporting_rate', label: '报到率', value: pct(t.reporting_rate),
      note: grid ? '名册不记楼栋，网格不计报到率' : `名册 ${num(t.roster)} 人，已报到 ${num(t.roster_reported)} 人` },
    { key: 'active_members', label: '活跃党员', value: t.active_members, note: `报到党员 ${t.members} 人，活跃率 ${pct(t.active_rate)}` },
    { key: 'hours', label: '服务时长', value: `${t.hours} 小时`, note: `积分合计 ${t.points}` },
    { key: 'activities', label: '活动场次', value: t.activities, note: grid || unit ? '本范围党员参加过的活动' : '已发布的活动' },
    unit
      ? { key: 'pledge_coverage', label: '签订承诺党员', value: t.pledged_members, note: '单位跨社区，不计楼栋覆盖' }
      : { key: 'pledge_coverage', label: '承诺楼栋覆盖率', value: pct(t.pledge_coverage), note: `${num(t.pledged_buildings)} / ${num(t.buildings)} 栋` },
    { key: 'party_day', label: '主题党日参加', value: `${t.party_day_attendances} 人次`,
      note: `${t.party_days === null || t.party_days === undefined ? '' : `${t.party_days} 次党日，`}补课 ${t.party_day_makeups} 人次` },
  ];
}

export function panels(stats) {
  const s = stats;
  return [
    { key: 'hours', title: '每月服务时长', kind: 'line', unit: '小时', labelTitle: '月份', valueTitle: '时长（小时）',
      labels: s.hours_by_month.map((r) => r.month), values: s.hours_by_month.map((r) => Number(r.hours)) },
    { key: 'types', title: '各类活动场次', kind: 'bar', unit: '场', labelTitle: '活动类型', valueTitle: '场次',
      labels: s.activities_by_type.map((r) => r.label), values: s.activities_by_type.map((r) => r.activities) },
    { key: 'participation', title: '各活动参与人数', kind: 'ranked', unit: '人', labelTitle: '活动', valueTitle: '签到党员',
      labels: s.participation.map((r) => `${r.title}（${r.starts_at.slice(5, 10)}）`), values: s.participation.map((r) => r.members) },
    { key: 'stars', title: `${s.period.slice(0, 4)}年星级分布`, kind: 'bar', unit: '人', labelTitle: '星级', valueTitle: '人数',
      labels: s.stars.map((r) => `${r.stars}星`), values: s.stars.map((r) => r.members) },
    { key: 'points', title: '积分分布', kind: 'bar', unit: '人', labelTitle: '积分', valueTitle: '人数',
      labels: s.points_distribution.map((r) => r.band), values: s.points_distribution.map((r) => r.members) },
  ];
}

/** The rows compared side by side: a district's streets, a street's communities. */
export function compared(stats) {
  if (stats.streets && stats.streets.length) return { title: '街道对比', placeTitle: '街道', rows: stats.streets.map((r) => ({ ...r, place: r.street })) };
  if (stats.communities && stats.communities.length) return { title: '社区对比', placeTitle: '社区', rows: stats.communities.map((r) => ({ ...r, place: r.community })) };
  return null;
}
