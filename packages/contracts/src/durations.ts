/**
 * LiteLLM duration strings (`30s`, `5m`, `24h`, `7d`, `2w`, `1mo`): `^(\d+)(mo|[smhdw]?)` matched as a
 * prefix, so "24hr" is 24h, as in LiteLLM. A bare number has no unit and is rejected, as in LiteLLM.
 */
const DURATION = /^(\d+)(mo|[smhdw])/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export interface Duration {
  amount: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'mo';
}

export function parseDuration(value: string): Duration | null {
  const m = DURATION.exec(value.trim());
  if (!m) return null;
  return { amount: Number(m[1]), unit: m[2] as Duration['unit'] };
}

export const isValidDuration = (value: string) => parseDuration(value) !== null;

/**
 * now + duration; months are calendar months (UTC). A day that does not exist in the target month is
 * clamped to its last day (Jan 31 + 1mo = Feb 28/29), as LiteLLM's `duration_in_seconds` does, instead of
 * overflowing into the month after.
 */
export function addDuration(from: Date, d: Duration): Date {
  if (d.unit === 'mo') {
    const out = new Date(from);
    const day = out.getUTCDate();
    out.setUTCDate(1);
    out.setUTCMonth(out.getUTCMonth() + d.amount);
    const lastDay = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(day, lastDay));
    return out;
  }
  return new Date(from.getTime() + d.amount * (UNIT_SECONDS[d.unit] ?? 0) * 1000);
}

/**
 * LiteLLM's "standardized" budget reset time (UTC): `1d` next midnight; `7d` next Monday 00:00; `30d` the
 * 1st of next month; other `Nd` today 00:00 + N days; `Nh`/`Nm`/`Ns` the next boundary aligned to N;
 * `Nw` N weeks from the next Monday; `Nmo` the 1st of the month N months ahead.
 */
export function nextBudgetReset(from: Date, d: Duration): Date {
  const midnight = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const dayMs = 86_400_000;
  switch (d.unit) {
    case 'd': {
      if (d.amount === 1) return new Date(midnight + dayMs);
      if (d.amount === 7) return nextMonday(from, midnight);
      if (d.amount === 30) return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
      if (d.amount === 0) return from;
      return new Date(midnight + d.amount * dayMs);
    }
    case 'w':
      return d.amount === 0
        ? from
        : new Date(nextMonday(from, midnight).getTime() + (d.amount - 1) * 7 * dayMs);
    case 'mo':
      return d.amount === 0
        ? from
        : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + d.amount, 1));
    default: {
      if (d.amount === 0) return from;
      const step = d.amount * (UNIT_SECONDS[d.unit] ?? 1) * 1000;
      const sinceMidnight = from.getTime() - midnight;
      return new Date(midnight + (Math.floor(sinceMidnight / step) + 1) * step);
    }
  }
}

function nextMonday(from: Date, midnight: number): Date {
  const day = from.getUTCDay(); // 0 = Sunday
  const daysAhead = (8 - day) % 7 || 7;
  return new Date(midnight + daysAhead * 86_400_000);
}
