// Small helpers every page shares: numbers with their unit.

import { UNIT_ABBREVIATIONS } from "./constants.js";

export function unitOf(timeUnit) {
  return UNIT_ABBREVIATIONS[timeUnit] ?? timeUnit;
}

export function formatNumber(value, digits = 2) {
  return Number(value).toLocaleString("en-US", { maximumFractionDigits: digits });
}

// "31.75 h": at most two decimals and the unit, the same way on every page.
export function formatDuration(value, timeUnit) {
  return value === null || value === undefined ? "—" : `${formatNumber(value)} ${unitOf(timeUnit)}`;
}
